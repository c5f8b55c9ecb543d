use super::*;

fn problems(text: &str) -> Vec<String> {
    parse(text).unwrap_err().0.iter().map(ToString::to_string).collect()
}

#[test]
fn the_example_parses_without_problems() {
    let c = parse(EXAMPLE).unwrap_or_else(|p| panic!("{p}"));
    assert_eq!(c.channels.len(), 2);
    assert!(!c.simulators.enabled);
    let cmpp = &c.channels[0];
    assert_eq!(
        (cmpp.protocol, cmpp.version.as_str(), cmpp.connections, cmpp.rate),
        (Protocol::Cmpp, "3.0", 2, Some(200))
    );
    assert_eq!(c.channels[1].response_timeout, Duration::from_secs(30), "SGIP's own default");
    assert_eq!((c.channels[1].node_id, c.channels[1].corp_id.as_str()), (3_010_012_345, "12345"));
    assert_eq!(cmpp.node_id, DEFAULT_SGIP_NODE_ID);
    assert_eq!(c.content.sensitive_words, ["发票代开", "刷单"]);
    assert_eq!(c.content.marketing_quiet_hours, hongyan_types::QuietHours::parse("21:00-08:00"));
    assert!(parse("[content]\nmarketing_quiet_hours = \"none\"\n").unwrap().content.marketing_quiet_hours.is_none());
    assert_eq!(
        problems("[content]\nmarketing_quiet_hours = \"9pm\"\n"),
        ["content.marketing_quiet_hours: `9pm` is not HH:MM-HH:MM (or \"none\")"]
    );
    assert_eq!(read_word_file("# comment\n\n 赌博 \nvpn\n"), ["赌博", "vpn"]);
    assert_eq!(c.reports, Reports::default(), "the example spells the defaults out");
    assert_eq!(c.console, Console::default(), "loopback, spelled out");
    let trusted = parse("[console]\nlogin_trusted = [\"10.8.0.0/16\"]\n").unwrap().console.login_trusted;
    assert_eq!(trusted.iter().map(ToString::to_string).collect::<Vec<_>>(), ["10.8.0.0/16"]);
    // What e2e/run.sh gives the server: the embedded default, but no range exempt from the lock.
    let none = parse("[console]\nlogin_trusted = []\n").unwrap();
    assert!(none.console.login_trusted.is_empty());
    assert_eq!(Config { console: Console::default(), ..none }, Config::default());
    assert_eq!(
        problems("[console]\nlogin_trusted = [\"office\"]\n"),
        ["console.login_trusted: `office` is not an address range such as 10.0.0.0/8, 2001:db8::/32 or 192.0.2.7"]
    );
    assert_eq!(c.incidents, Incidents::default(), "the example spells the defaults out");
    assert_eq!(c.alerts, Alerts::default(), "the example spells the defaults out");
    let alerts = parse(
        "[alerts]\nrepeat_every_s = 60\n[alerts.email]\nserver = \"127.0.0.1:2525\"\nfrom = \"a@b\"\nto = [\"c@d\"]\n\
         [alerts.sms]\naccount = \"ops\"\nto = [\"13800138000\"]\n[alerts.webhook]\nurl = \"http://127.0.0.1:9/h\"\nsecret = \"s\"\n",
    )
    .unwrap()
    .alerts;
    assert_eq!(
        (alerts.repeat_every.as_secs(), alerts.email.unwrap().to, alerts.sms.unwrap().account),
        (60, vec!["c@d".to_owned()], "ops".to_owned())
    );
    assert_eq!(alerts.webhook.map(|h| h.url).as_deref(), Some("http://127.0.0.1:9/h"));
    assert_eq!(
        problems(
            "[alerts.email]\nserver = \"smtp\"\nfrom = \"a@b\"\n[alerts.webhook]\nurl = \"ftp://x\"\nsecret = \"s\"\n"
        ),
        [
            "alerts.webhook.url: `ftp://x` is not an http:// or https:// address",
            "alerts.email.server: `smtp` is not host:port",
            "alerts.email.to: name at least one recipient"
        ]
    );
    assert_eq!(problems("[incidents]\nfailure_percent = 0\n").len(), 1);
    assert_eq!(
        (c.log.format, c.log.file.as_deref().and_then(|p| p.to_str()), c.log.keep_days),
        (LogFormat::Json, Some("/var/log/hongyan/hongyan.log"), 30)
    );
    assert_eq!((Config::default().log.format, Config::default().log.file), (LogFormat::Text, None));
    assert_eq!(problems("[log]\nformat = \"xml\"\n"), ["log.format: `xml` is not a log format: text or json"]);
    let scrapers: Vec<String> = c.metrics.allow.iter().map(ToString::to_string).collect();
    assert_eq!(scrapers, ["127.0.0.0/8", "::1/128", "10.0.0.0/8"]);
    assert_eq!(Config::default().metrics.allow.len(), 2, "loopback only by default");
    assert_eq!(
        problems("[metrics]\nallow = [\"prometheus\"]\nport = 9100\n").len(),
        2,
        "a bad range and an unknown key"
    );
    assert_eq!(c.servers.smpp, Some("0.0.0.0:2775".parse().unwrap()));
    assert_eq!(c.servers.cmpp, Some("0.0.0.0:7890".parse().unwrap()));
    assert_eq!(c.servers.cmpp_gateway_code, DEFAULT_CMPP_GATEWAY_CODE);
    assert_eq!(
        problems("[servers]\ncmpp_gateway_code = 4194304\n"),
        ["servers.cmpp_gateway_code: 4194304 is out of range (0..=4194303)"]
    );
    assert_eq!(Config::default().servers, Servers::default(), "off unless asked for");
    assert_eq!((c.retention.keep_days, Config::default().retention.keep_days), (Some(400), None));
    assert_eq!(problems("[retention]\nkeep_days = 30\n").len(), 1, "too short to be safe");
    let tls = parse("[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n").unwrap().tls.unwrap();
    assert_eq!((tls.cert.to_str(), tls.key.to_str()), (Some("c.pem"), Some("k.pem")));
    assert_eq!(problems("[tls]\ncert = \"c.pem\"\n"), ["tls.key: is required"]);
    assert_eq!(
        problems("[servers]\nsmpp = \"2775\"\n"),
        ["servers.smpp: `2775` is not an address such as 0.0.0.0:2775"]
    );
    assert_eq!(c.encryption, Encryption::default(), "the example spells the default out");
    let e = parse("[encryption]\nalgorithm = \"sm4-gcm\"\nkey_env = \"K\"\n").unwrap().encryption;
    assert_eq!((e.algorithm, e.keys), (DataAlgorithm::Sm4Gcm, KeySource::Env("K".into())));
    let e = parse("[encryption]\nkey_file = \"/k\"\n").unwrap().encryption;
    assert_eq!((e.algorithm, e.keys), (DataAlgorithm::Aes256Gcm, KeySource::File("/k".into())));
    assert_eq!(
        problems("[encryption]\nalgorithm = \"des\"\nkey_file = \"a\"\nkey_env = \"B\"\nkey = 1\n"),
        [
            "encryption.algorithm: `des` is not \"aes-256-gcm\" or \"sm4-gcm\"",
            "encryption.key: unknown key",
            "encryption.key_env: give key_file or key_env, not both"
        ]
    );
    let r = parse("[reports]\nunknown_after_hours = 48\ncallback_batch = 10\ncallback_ca_file = \"ca.pem\"\n")
        .unwrap()
        .reports;
    assert_eq!((r.unknown_after, r.callback_batch), (Duration::from_secs(48 * 3600), 10));
    assert_eq!(r.callback_ca_file.as_deref(), Some(std::path::Path::new("ca.pem")));
    let got = problems("[reports]\nunknown_after_hours = 0\ncallback_batch = 5000\nretry = 1\n");
    assert_eq!(got.len(), 3, "{got:?}");
}

#[test]
fn an_empty_file_is_the_embedded_default() {
    assert_eq!(parse("").unwrap(), Config::default());
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = r#"
        htp = "127.0.0.1:1"
        [simulators]
        enabled = "yes"
        [[channel]]
        name = "a"
        protocol = "cmpp"
        version = "4.0"
        address = "nowhere"
        username = "901234"
        password = "x"
        source = "1069"
        window = 0
        carriers = ["china_mobil"]
        colour = "blue"
        node_id = 1
        [[channel]]
        name = "a"
        protocol = "sgip"
        address = "h:1"
        username = "u"
        password = "p"
        source = "1065"
        carriers = ["china_unicom"]
    "#;
    let got = problems(text);
    for want in [
        "htp: unknown key",
        "simulators.enabled: expected true or false, found string",
        "channel[0].version: cmpp version `4.0` is not supported (3.0, 2.0)",
        "channel[0].address: `nowhere` is not host:port",
        "channel[0].window: 0 is out of range (1..=256)",
        "channel[0].carriers[0]: `china_mobil` is not a carrier",
        "channel[0].colour: unknown key",
        "channel[0].node_id: only SGIP channels have it",
        "channel[1].listen: SGIP needs the address where the Unicom gateway connects to us",
    ] {
        assert!(got.iter().any(|g| g == want), "missing `{want}` in {got:#?}");
    }
}

#[test]
fn required_keys_and_syntax_errors() {
    let got = problems("[[channel]]\nname = \"x\"\nprotocol = \"smpp\"\n");
    for key in ["address", "username", "password", "source", "carriers"] {
        assert!(got.iter().any(|g| g.starts_with(&format!("channel[0].{key}"))), "{key}: {got:?}");
    }
    assert!(problems("[[channel]\n")[0].starts_with("syntax:"));
    assert!(problems("[[channel]]\nname = \"x\"\nprotocol = \"mqtt\"\n").iter().any(|g| g.contains("not one of")));
}

#[test]
fn duplicate_names_are_refused() {
    let one = "[[channel]]\nname = \"x\"\nprotocol = \"smgp\"\naddress = \"h:1\"\nusername = \"u\"\npassword = \"p\"\nsource = \"1\"\ncarriers = [\"china_telecom\"]\n";
    let got = problems(&format!("{one}{one}"));
    assert_eq!(got, vec!["channel[1].name: `x` is used by an earlier channel"]);
}

#[test]
fn categories_are_the_files_list_with_kinds_and_labels() {
    let c = parse(EXAMPLE).unwrap();
    let names: Vec<_> = c.categories.iter().map(|d| d.category.name().to_owned()).collect();
    assert_eq!(names, ["verification", "notification", "tax_notice", "marketing"]);
    let tax = c.categories.parse("tax_notice").unwrap();
    assert_eq!(tax.kind(), hongyan_types::CategoryKind::Notification);
    assert_eq!(c.categories.iter().nth(2).unwrap().label, "税务通知");
    let only = parse("[[category]]\nname = \"otp\"\nkind = \"verification\"\n").unwrap().categories;
    assert!(only.parse("marketing").is_err(), "a list in the file replaces the defaults");
    assert_eq!(only.iter().next().unwrap().label, "验证码", "the kind's label by default");
}

#[test]
fn categories_have_short_codes_for_smpp_and_cmpp() {
    let c = parse(EXAMPLE).unwrap().categories;
    let codes: Vec<_> = c.iter().map(|d| d.code.clone()).collect();
    let want = [Some("VERIF"), Some("NOTIF"), Some("TAX"), Some("MKT")].map(|c| c.map(str::to_owned));
    assert_eq!(codes, want, "a kind's own category keeps its default code");
    assert_eq!(c.by_code("tax").unwrap().name(), "tax_notice");
    assert_eq!(c.by_code("VERIF").unwrap(), hongyan_types::Category::VERIFICATION);
    let own = parse("[[category]]\nname = \"otp\"\nkind = \"verification\"\n").unwrap().categories;
    assert_eq!(own.iter().next().unwrap().code, None, "no code unless given");
    let text = "[[category]]\nname = \"tax\"\nkind = \"notification\"\n\
                [[category]]\nname = \"notification\"\nkind = \"notification\"\ncode = \"TAX\"\n\
                [[category]]\nname = \"otp\"\nkind = \"verification\"\ncode = \"otp2\"\n\
                [[category]]\nname = \"promo\"\nkind = \"marketing\"\ncode = \"OTP2\"\n\
                [[category]]\nname = \"promo2\"\nkind = \"marketing\"\ncode = \"PROMO1\"\n";
    let got = problems(text);
    for want in [
        "category[1].code: `TAX` already names the category `tax`",
        "category[3].code: `OTP2` already names the category `otp`",
        "category[4].code: `PROMO1` is not 1 to 5 letters and digits",
    ] {
        assert!(got.iter().any(|g| g == want), "missing `{want}` in {got:#?}");
    }
    assert_eq!(got.len(), 3, "{got:#?}");
}

#[test]
fn bad_categories_are_all_reported() {
    let text = "[[category]]\nname = \"Tax Notice\"\nkind = \"notification\"\n\
                [[category]]\nname = \"marketing\"\nkind = \"notification\"\n\
                [[category]]\nname = \"otp\"\nkind = \"urgent\"\ncolour = \"red\"\n\
                [[category]]\nname = \"a\"\nkind = \"marketing\"\n[[category]]\nname = \"a\"\nkind = \"marketing\"\n\
                [[category]]\nkind = \"marketing\"\n";
    let got = problems(text);
    for want in [
        "category[0].name: `Tax Notice` is not 1 to 32 characters of a-z, 0-9, `_` and `-`",
        "category[1].kind: the category `marketing` can only be of kind marketing",
        "category[2].kind: `urgent` is not one of verification, notification, marketing",
        "category[2].colour: unknown key",
        "category[4].name: `a` is used by an earlier category",
        "category[5].name: is required",
    ] {
        assert!(got.iter().any(|g| g == want), "missing `{want}` in {got:#?}");
    }
}

#[test]
fn payment_periods_are_named_whole_days_and_checked() {
    let c = parse(EXAMPLE).unwrap();
    assert_eq!(c.billing_periods.len(), 2);
    assert_eq!((c.billing_periods[0].name.as_str(), c.billing_periods[0].to.as_str()), ("第一期", "2027-04-30"));
    let bad = problems(
        r#"
[[billing.period]]
name = "a"
from = "2027-02-30"
to = "2027-03-01"
[[billing.period]]
name = "b"
from = "2027-01-01"
to = "2027-01-31"
[[billing.period]]
name = "b"
from = "2027-02-01"
to = "2027-02-28"
[[billing.period]]
name = "c"
from = "2027-03-01"
to = "2027-01-01"
until = "x"
"#,
    );
    assert!(bad.iter().any(|p| p.starts_with("billing.period[0].from")), "{bad:?}");
    assert!(bad.iter().any(|p| p.starts_with("billing.period[2].name")), "{bad:?}");
    assert!(bad.iter().any(|p| p.starts_with("billing.period[3].to")), "{bad:?}");
    assert!(bad.iter().any(|p| p.contains("until")), "unknown keys are errors: {bad:?}");
}

/// What `config example` marks "(the default)" is the default: the file without those lines
/// is the same configuration. What it sets to other values is marked as an example.
#[test]
fn the_example_says_which_values_are_defaults_and_which_are_examples() {
    let without: String = EXAMPLE
        .lines()
        .filter(|l| !l.contains("(the default)") || l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(without.len() < EXAMPLE.len() - 500, "the defaults are marked");
    let (mut full, mut bare) = (parse(EXAMPLE).unwrap(), parse(&without).unwrap_or_else(|p| panic!("{p}")));
    // data_dir and http are resolved by `serve`: left out, they are these.
    assert_eq!((full.data_dir.take(), full.http.take()), (Some("data".into()), Some(DEFAULT_HTTP.parse().unwrap())));
    assert_eq!((bare.data_dir.take(), bare.http.take()), (None, None));
    assert_eq!(full, bare, "a line marked (the default) changed the configuration");
    for key in ["keep_days = 400", "smpp = \"0.0.0.0:2775\"", "cmpp = \"0.0.0.0:7890\"", "sensitive_words = ["] {
        let line = EXAMPLE.lines().find(|l| l.starts_with(key)).unwrap();
        assert!(line.contains("example") && line.contains("default"), "`{line}` does not say it is an example");
    }
    assert!(!EXAMPLE.contains("every option, with its default"), "the old claim is gone");
}

fn channel(name: &str, protocol: &str, address: &str, extra: &str) -> String {
    format!(
        "[[channel]]\nname = \"{name}\"\nprotocol = \"{protocol}\"\naddress = \"{address}\"\nusername = \"901234\"\n\
         password = \"p\"\nsource = \"1069\"\ncarriers = [\"china_mobile\"]\n{extra}"
    )
}

#[test]
fn listening_addresses_that_clash_are_refused_naming_both_keys() {
    let servers = "[servers]\nsmpp = \"127.0.0.1:8080\"\ncmpp = \"0.0.0.0:7890\"\n";
    let text = format!(
        "{servers}{}{}{}",
        channel("broken", "cmpp", "10.1.1.10:7890", "window = 0\n"),
        channel("self", "cmpp", "127.0.0.1:7890", ""),
        channel("unicom", "sgip", "10.2.2.20:8801", "listen = \"0.0.0.0:7890\"\n"),
    );
    let got = problems(&text);
    for want in [
        "servers.smpp: 127.0.0.1:8080 is already taken by http (default) = 127.0.0.1:8080: two listeners cannot share an address",
        "channel[2].listen: 0.0.0.0:7890 is already taken by servers.cmpp = 0.0.0.0:7890: two listeners cannot share an address",
        "channel[1].address: `127.0.0.1:7890` is our own servers.cmpp = 0.0.0.0:7890 on this host: the channel would connect to this server, not the carrier's gateway",
    ] {
        assert!(got.iter().any(|g| g == want), "missing `{want}` in {got:#?}");
    }
    assert_eq!(got.len(), 4, "the broken channel's own problem, and these three: {got:#?}");

    let apart = "http = \"0.0.0.0:9000\"\n[servers]\nsmpp = \"127.0.0.1:9000\"\n";
    assert_eq!(
        problems(apart),
        ["servers.smpp: 127.0.0.1:9000 is already taken by http = 0.0.0.0:9000: two listeners cannot share an address"]
    );
    let fine = format!("[servers]\ncmpp = \"0.0.0.0:7890\"\n{}", channel("cmcc", "cmpp", "10.1.1.10:7890", ""));
    assert!(parse(&fine).is_ok(), "the carrier's gateway on another host may use the same port");
    let mut config = parse(&fine).unwrap();
    config.http = Some("0.0.0.0:7890".parse().unwrap());
    let late = address_clashes(&config);
    assert_eq!(late.len(), 1, "serve checks the addresses after --http / --smpp / --cmpp: {late:?}");
    assert_eq!(late[0].path, "servers.cmpp");
}

#[test]
fn a_channel_in_tls_names_its_ca_and_server_name_only_with_tls_on() {
    let on = channel(
        "cmcc",
        "cmpp",
        "10.1.1.10:7890",
        "tls = true\ntls_ca_file = \"ca.pem\"\ntls_server_name = \"ismg.cn\"\n",
    );
    let tls = parse(&on).unwrap().channels.remove(0).tls.expect("tls on");
    assert_eq!(tls.ca_file.as_deref(), Some(std::path::Path::new("ca.pem")));
    assert_eq!(tls.server_name.as_deref(), Some("ismg.cn"));
    let plain = parse(&channel("cmcc", "cmpp", "10.1.1.10:7890", "")).unwrap();
    assert_eq!(plain.channels[0].tls, None, "plain TCP unless asked");
    let stray = channel("cmcc", "cmpp", "10.1.1.10:7890", "tls_ca_file = \"ca.pem\"\n");
    assert_eq!(problems(&stray), ["channel[0].tls_ca_file: only with tls = true"]);
    let wrong = channel("cmcc", "cmpp", "10.1.1.10:7890", "tls = \"yes\"\n");
    assert_eq!(problems(&wrong).len(), 1, "tls is true or false");
}

#[test]
fn an_sgip_channel_in_tls_needs_a_certificate_for_its_listener() {
    let sgip =
        channel("unicom", "sgip", "10.1.1.20:8801", "listen = \"0.0.0.0:8802\"\nnode_id = 3000012345\ntls = true\n");
    assert_eq!(
        problems(&sgip),
        ["channel[0].tls: an SGIP channel in TLS listens in TLS too: it needs [tls] cert and key"]
    );
    let with_cert = format!("[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n{sgip}");
    assert!(parse(&with_cert).unwrap().channels[0].tls.is_some());
    let cmpp = channel("cmcc", "cmpp", "10.1.1.10:7890", "tls = true\n");
    assert!(parse(&cmpp).is_ok(), "a CMPP link only connects out: no certificate of ours is needed");
}

#[test]
fn a_cluster_names_its_database_and_a_valid_node() {
    let keys = "[encryption]\nkey_env = \"HONGYAN_DATA_KEYS\"\n";
    let c =
        parse(&format!("{keys}[cluster]\npostgres = \"postgres://hy@10.0.0.5/hongyan\"\nnode = \"node-1\"\n")).unwrap();
    let cluster = c.cluster.expect("cluster mode");
    assert_eq!((cluster.postgres.as_str(), cluster.node.as_str()), ("postgres://hy@10.0.0.5/hongyan", "node-1"));
    assert_eq!(parse("").unwrap().cluster, None, "alone on SQLite by default");
    let problems = parse("[cluster]\nnode = \"节点 1\"\nport = 5432\n").unwrap_err().to_string();
    assert!(problems.contains("cluster.postgres: is required"), "{problems}");
    assert!(problems.contains("cluster.port"), "unknown keys are errors: {problems}");
    assert!(problems.contains("is not a node name"), "{problems}");
    let own_keys =
        parse("[cluster]\npostgres = \"postgres://hy@db/hongyan\"\nnode = \"n1\"\n").unwrap_err().to_string();
    assert!(own_keys.contains("every node needs the same data keys"), "{own_keys}");
}
