//! The configuration file from the operator's side: check-config, config example, and serve
//! with a channel to an external gateway (a standalone simulator process) and no in-process
//! simulator.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;
use support::*;

#[test]
fn check_config_reports_every_problem_and_accepts_the_example() {
    let dir = data_dir("check");
    let example = Command::new(BIN).args(["config", "example"]).output().unwrap();
    assert!(example.status.success());
    let example_path = dir.join("example.toml");
    std::fs::write(&example_path, &example.stdout).unwrap();
    let ok = Command::new(BIN).arg("check-config").arg(&example_path).output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("OK (2 channel(s)"));

    let bad_path = dir.join("bad.toml");
    std::fs::write(&bad_path, "colour = 1\n[[channel]]\nname = \"x\"\nprotocol = \"cmpp\"\nwindow = \"big\"\n")
        .unwrap();
    let bad = Command::new(BIN).arg("check-config").arg(&bad_path).output().unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    for want in [
        "colour: unknown key",
        "channel[0].window: expected an integer",
        "channel[0].address: is required",
        "channel[0].carriers",
    ] {
        assert!(err.contains(want), "missing `{want}` in:\n{err}");
    }
}

#[test]
fn serve_refuses_a_bad_config_with_its_problems() {
    let dir = data_dir("badserve");
    let path = dir.join("bad.toml");
    std::fs::write(&path, "[simulators]\nenabled = 3\n").unwrap();
    let out = Command::new(BIN).arg("serve").arg("--config").arg(&path).arg("--data-dir").arg(&dir).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("simulators.enabled: expected true or false"));
}

#[test]
fn a_configured_channel_reaches_an_external_gateway_without_simulators() {
    let dir = data_dir("external");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let sim_log = std::fs::File::create(dir.join("sim.log")).unwrap();
    let mut sim = Command::new(BIN)
        .args(["sim", "cmpp", "--listen", &format!("127.0.0.1:{port}"), "--sp-id", "445566", "--secret", "ext-secret"])
        .args(["--report-delay-ms", "100", "--data-dir"])
        .arg(dir.join("simdata"))
        .stdout(Stdio::null())
        .stderr(sim_log)
        .spawn()
        .unwrap();
    let config = format!(
        "[[channel]]\nname = \"cmcc-external\"\nprotocol = \"cmpp\"\naddress = \"127.0.0.1:{port}\"\nusername = \"445566\"\n\
         password = \"ext-secret\"\nsource = \"1069012345\"\ncarriers = [\"china_mobile\"]\nconnections = 2\n"
    );
    let config_path = dir.join("hongyan.toml");
    std::fs::write(&config_path, config).unwrap();
    let server = Server::start(&dir, &["--config", config_path.to_str().unwrap()]);
    let cred = create_account(&dir, "etax");
    let (code, answer) = server.request(
        "POST",
        "/api/v1/messages",
        Some(&cred),
        Some(&json!({"to": ["13800138000"], "content": "外部网关测试", "category": "notification"})),
    );
    assert_eq!(code, 200, "{answer}");
    let id = answer["results"][0]["message_id"].as_str().unwrap().to_owned();
    let delivered = eventually(Duration::from_secs(20), || {
        let (_, d) = server.request("GET", &format!("/api/v1/messages/{id}"), Some(&cred), None);
        (d["status"] == "delivered").then_some(d)
    });
    let log = server.log_text();
    let _ = sim.kill();
    let _ = sim.wait();
    let d = delivered.unwrap_or_else(|| panic!("not delivered; log:\n{log}"));
    assert_eq!(d["channel"], "cmcc-external");
    assert!(!log.contains("SIMULATED"), "no in-process simulator runs with a configured channel:\n{log}");
}

/// `hongyan account smpp|cmpp … --category C`: a login's default category for submits that
/// name none, checked against the configured categories and kept with the login;
/// `--set-category` changes an existing login's.
#[test]
fn a_client_login_keeps_its_default_category() {
    let dir = data_dir("login-category");
    create_account(&dir, "etax");
    let cfg = dir.join("categories.toml");
    std::fs::write(&cfg, "[[category]]\nname = \"tax\"\nkind = \"notification\"\ncode = \"TAX\"\n").unwrap();
    let login = |extra: &[&str]| {
        Command::new(BIN).args(["account", "smpp", "1", "--data-dir"]).arg(&dir).args(extra).output().unwrap()
    };
    let made = login(&["--category", "tax", "--config", cfg.to_str().unwrap(), "--system-id", "etax01"]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let unknown = login(&["--category", "nope", "--system-id", "etax02"]);
    assert!(!unknown.status.success());
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(err.contains("unknown category `nope`") && err.contains("verification"), "{err}");
    let stored = || {
        let store = hongyan_store_sqlite::SqliteStore::open(&dir.join("hongyan.db")).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let found = rt.block_on(hongyan_store::AccountStore::find_client_login(&store, "smpp", "etax01")).unwrap();
        rt.block_on(hongyan_store::Store::close(&store)).unwrap();
        found.unwrap().0.default_category
    };
    assert_eq!(stored().as_deref(), Some("tax"));

    let set = login(&["--system-id", "etax01", "--set-category", "verification"]);
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    assert!(String::from_utf8_lossy(&set.stdout).contains("now defaults to verification"));
    assert_eq!(stored().as_deref(), Some("verification"));
    let missing = login(&["--system-id", "nobody", "--set-category", "none"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("has no smpp login `nobody`"));
}

/// A CMPP server on the address a channel's gateway points at (this host), and a flag that
/// moves a server onto the HTTP address: refused by check-config and by serve, both keys named.
#[test]
fn clashing_addresses_are_refused_naming_both_keys() {
    let dir = data_dir("clash");
    let path = dir.join("clash.toml");
    let channel =
        "[[channel]]\nname = \"cmcc\"\nprotocol = \"cmpp\"\naddress = \"127.0.0.1:7890\"\nusername = \"901234\"\n\
                   password = \"p\"\nsource = \"1069\"\ncarriers = [\"china_mobile\"]\n";
    std::fs::write(&path, format!("[servers]\ncmpp = \"0.0.0.0:7890\"\n{channel}")).unwrap();
    let out = Command::new(BIN).arg("check-config").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("channel[0].address: `127.0.0.1:7890` is our own servers.cmpp = 0.0.0.0:7890 on this host"),
        "{err}"
    );

    let fine = dir.join("fine.toml");
    std::fs::write(&fine, "[simulators]\nenabled = false\n").unwrap();
    let serve = Command::new(BIN)
        .args(["serve", "--http", "127.0.0.1:18391", "--smpp", "0.0.0.0:18391", "--config"])
        .arg(&fine)
        .arg("--data-dir")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!serve.status.success());
    let err = String::from_utf8_lossy(&serve.stderr);
    assert!(err.contains("servers.smpp: 0.0.0.0:18391 is already taken by http = 127.0.0.1:18391"), "{err}");
}

/// Each command explains its own flags; a wrong value is refused with status 2, saying why,
/// before anything is opened or written.
#[test]
fn each_command_explains_its_flags_and_refuses_a_wrong_one() {
    let help = Command::new(BIN).args(["help", "account", "smpp"]).output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("--system-id") && text.contains("--set-category") && text.contains("ACCOUNT_ID"), "{text}");

    let dir = data_dir("cli-refusal");
    let bad =
        Command::new(BIN).args(["account", "cmpp", "1", "--sp-id", "12345", "--data-dir"]).arg(&dir).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("--sp-id is at most 6 digits"), "{err}");
    assert!(!dir.join("hongyan.db").exists(), "nothing was opened");
    let stray = Command::new(BIN).args(["keys", "rotate"]).output().unwrap();
    assert_eq!(stray.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&stray.stderr).contains("[possible values: add, rekey]"));
}
