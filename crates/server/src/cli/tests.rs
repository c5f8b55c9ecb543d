use clap::{CommandFactory, Parser};

use super::*;

fn parse(s: &str) -> Result<Command, clap::Error> {
    let args = std::iter::once("hongyan").chain(s.split_whitespace());
    Cli::try_parse_from(args).map(|c| c.command.expect("a command"))
}

#[test]
fn the_command_tree_is_consistent() {
    // clap's own checks: no two flags with one name, every `requires` names a flag, …
    Cli::command().debug_assert();
}

#[test]
fn parses_serve_flags() {
    let Command::Serve(o) = parse("serve --data-dir /tmp/x --http 127.0.0.1:9 --sim-report-delay-ms 50").unwrap()
    else {
        panic!("not serve")
    };
    assert_eq!(o.data_dir, Some(PathBuf::from("/tmp/x")));
    assert_eq!(o.http.map(|a| a.port()), Some(9));
    assert_eq!(o.sim_report_delay, Some(Duration::from_millis(50)));
    assert!(
        matches!(parse("check-config x.toml"), Ok(Command::CheckConfig { file }) if file == std::path::Path::new("x.toml"))
    );
    assert!(matches!(parse("config example"), Ok(Command::Config(ConfigCommand::Example))));
    assert!(parse("config example extra").is_err());
    assert!(parse("serve --sim-report-delay-ms soon").is_err());
}

#[test]
fn parses_keys_commands_and_refuses_strays() {
    assert!(matches!(parse("keys add --config h.toml --data-dir d"), Ok(Command::Keys(_))));
    assert!(matches!(parse("keys rekey"), Ok(Command::Keys(_))));
    for bad in ["keys", "keys rotate", "keys add --force", "keys rekey extra"] {
        let err = parse(bad).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(!err.is_empty(), "{bad:?} was taken");
    }
    let Err(e) = parse("keys rotate") else { panic!("taken") };
    assert!(e.to_string().contains("add, rekey"), "{e}");
}

#[test]
fn rejects_unknown_flags_and_bad_names() {
    assert!(parse("serve --nope").is_err());
    assert!(parse("frobnicate").is_err());
    assert!(parse("account create").is_err());
    assert!(parse("account create bad/name").is_err());
    assert!(parse("account limits 1 --daily 10000000000000000000").is_err(), "past what the store keeps");
    assert!(parse("account limits 1 --daily 1000000000000 --rate none").is_ok());
    assert!(parse("account cmpp 1 --sp-id 12345").is_err(), "an SP_Id is 6 digits");
    assert!(parse("account smpp 1 --system-id waytoolongsystemid").is_err(), "a system_id is at most 15");
    assert!(parse("account smpp 1 --sp-id 123456").is_err(), "each protocol has its own login flag");
    assert!(parse("account smpp 1 --set-category none").is_err(), "changing a category needs the login");
    assert!(
        matches!(parse("account create etax --json"), Ok(Command::Account(AccountCommand::Create(o))) if o.json && o.name == "etax")
    );
}

#[test]
fn common_flags_come_after_the_subcommand_as_before() {
    let Ok(Command::Template(o)) =
        parse("template add 1 code 验证码{code} --category verification --data-dir d --config c")
    else {
        panic!("not template")
    };
    assert_eq!(
        (o.data.dir.as_path(), o.config.as_deref()),
        (std::path::Path::new("d"), Some(std::path::Path::new("c")))
    );
    assert!(matches!(o.command, TemplateCommand::Add { category, .. } if category == "verification"));
    assert!(parse("template add 1 code body").is_err(), "a template needs its category");
    let Ok(Command::Blacklist(o)) = parse("blacklist add +86-138-0013-8000 --account 7 --reason 投诉") else {
        panic!("not blacklist")
    };
    assert_eq!(o.account, Some(7));
    assert!(
        matches!(o.command, BlacklistCommand::Add { number, reason } if number == "13800138000" && reason == "投诉")
    );
    assert!(parse("blacklist remove 12345").is_err(), "not a mobile number");
    assert!(parse("blacklist list --reason x").is_err(), "--reason belongs to add");
    assert!(parse("signature add 1 【税务】").is_err(), "brackets are the platform's");
    assert!(parse("signature position 1 middle").is_err());
    assert!(parse("callback per-request 1 maybe").is_err());
    assert!(parse("statement --from 2026-12-01").is_err(), "--from needs --to");
    assert!(parse("statement --period 2026-12 --from 2026-12-01 --to 2026-12-31").is_err());
    assert!(parse("statement --account 1").is_err(), "a statement needs its period");
    assert!(parse("acceptance --from 2026-12-01 --to 2026-12-31 --format pdf").is_err());
    assert!(parse("restore").is_err() && parse("backup").is_err());
}

#[test]
fn parses_simulator_scenarios() {
    assert!(parse("sim mqtt").is_err());
    assert!(parse("sim smgp --outcomes DELIVRD").is_err());
    assert!(parse("sim smpp --window 0").is_err());
    let Command::Sim(a) =
        parse("sim sgip --outcomes DELIVRD:3,UNDELIV/005:1 --rate-limit 50 --drop-every 7 --duplicate-reports")
            .unwrap()
    else {
        panic!("not sim")
    };
    let o = a.options();
    assert_eq!((o.protocol, o.listen.port()), (crate::sim_cmd::SimProtocol::Sgip, 8801));
    assert_eq!(o.scenario.outcomes[1].err, "005");
    assert_eq!((o.scenario.rate_limit, o.scenario.drop_every), (Some(50), Some(7)));
    assert!(o.scenario.duplicate_reports);
    let Command::Sim(a) = parse("sim smpp --mo 13800138000:TD --mo 13900139000@1069001:退订 --sp-id 900001").unwrap()
    else {
        panic!("not sim")
    };
    let o = a.options();
    assert_eq!(o.scenario.mo.len(), 2);
    assert_eq!((o.scenario.mo[1].text.as_str(), o.scenario.mo[1].to.as_str()), ("退订", "1069001"));
    assert_eq!(o.account, "900001", "the login flag's other names");
    assert!(parse("sim smpp --mo TD").is_err());
}
