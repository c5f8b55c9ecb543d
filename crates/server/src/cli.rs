//! Command-line parsing into typed options. Unknown flags are errors.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use lexopt::prelude::*;

pub(crate) const USAGE: &str = "\
Usage:
  hongyan serve [--config FILE] [--data-dir DIR] [--http ADDR] [--smpp ADDR] [--cmpp ADDR] [--sim-report-delay-ms N] [--sim-submit-latency-ms N]
  hongyan check-config FILE
  hongyan config example
  hongyan account create NAME [--signature TEXT] [--extension DIGITS] [--data-dir DIR] [--json]
  hongyan account limits ACCOUNT_ID [--rate N|none] [--daily N|none] [--monthly N|none]
        [--verification-per-minute N] [--verification-per-hour N] [--verification-per-day N] [--data-dir DIR]
  hongyan account free-text ACCOUNT_ID on|off [--data-dir DIR]
  hongyan account smpp ACCOUNT_ID [--system-id ID] [--category C] [--json] [--data-dir DIR] [--config FILE]
        (password printed once; --category: the default for an empty service_type)
  hongyan account cmpp ACCOUNT_ID [--sp-id NNNNNN] [--category C] [--json] [--data-dir DIR] [--config FILE]
        (shared secret printed once; --category: the default for an empty Service_Id)
  hongyan account smpp|cmpp ACCOUNT_ID --system-id ID|--sp-id NNNNNN --set-category C|none [--config FILE]
  hongyan template list ACCOUNT_ID | add ACCOUNT_ID NAME BODY --category C | approve ID | reject ID [--data-dir DIR] [--config FILE]
  hongyan portability import FILE.csv [--data-dir DIR]      (lines: NUMBER,CARRIER)
  hongyan blacklist add NUMBER [--account ID] [--reason TEXT] | remove NUMBER [--account ID] | list [--account ID]
                  [--data-dir DIR] [--config FILE]
  hongyan signature list ACCOUNT_ID | add ACCOUNT_ID TEXT [--extension DIGITS]
                  | approve ID | reject ID | default ACCOUNT_ID ID [--category C] | position ACCOUNT_ID prefix|suffix
                  [--data-dir DIR] [--config FILE]
  hongyan callback set ACCOUNT_ID URL | clear ACCOUNT_ID | per-request ACCOUNT_ID on|off | failures [--account ID]
                 | resend FAILURE_ID [--data-dir DIR]
  hongyan keys add | rekey [--config FILE] [--data-dir DIR]   (data keys of encryption at rest)
  hongyan statement (--from YYYY-MM-DD --to YYYY-MM-DD | --period NAME) [--account ID] [--format csv|json]
                  [--config FILE] [--data-dir DIR]   (every account without --account)
  hongyan acceptance --from YYYY-MM-DD --to YYYY-MM-DD [--format html|xlsx|json] [--lang zh|en] [--out FILE]
                  [--config FILE] [--data-dir DIR]   (channel figures, incidents, fees of the period)
  hongyan backup --out FILE [--data-dir DIR]        (safe while the server runs; the data keys are not in it)
  hongyan restore FILE [--data-dir DIR] [--config FILE]   (into a new data folder; needs the backed-up keys)
  hongyan sim cmpp|sgip|smgp|smpp [--listen ADDR] [--account NAME] [--password P] [--data-dir DIR]
        [--report-delay-ms N] [--submit-latency-ms N] [--outcomes STAT[/ERR]:WEIGHT,...] [--rate-limit N]
        [--duplicate-reports] [--report-before-response] [--drop-every N] [--silent-every N] [--fail-every N] [--mo FROM[@TO]:TEXT]... [--window N]
        [--report-to ADDR (sgip)] [--smpp-receipts both|ascii|ucs2|tlvs (smpp)]
  hongyan --version | --help

Environment: HONGYAN_DATA_DIR (default ./data), HONGYAN_HTTP_ADDR (default 127.0.0.1:8080),
HONGYAN_LOG (error|warn|info|debug|trace).";

pub(crate) use crate::content_cmd::{
    BlacklistCommand, BlacklistOptions, SignatureCommand, SignatureOptions, TemplateCommand, TemplateOptions,
};
pub(crate) use crate::sim_cmd::SimOptions;

pub(crate) enum Command {
    Help,
    Version,
    Serve(ServeOptions),
    CheckConfig(PathBuf),
    ConfigExample,
    AccountCreate(AccountOptions),
    AccountLimits(LimitsOptions),
    FreeText { data_dir: PathBuf, account: i64, allowed: bool },
    Template(TemplateOptions),
    PortabilityImport { data_dir: PathBuf, file: PathBuf },
    Blacklist(BlacklistOptions),
    Signature(SignatureOptions),
    Callback(crate::callback_cmd::CallbackOptions),
    ClientLogin(crate::login_cmd::LoginOptions),
    Keys(crate::keys_cmd::KeysOptions),
    Statement(crate::statement_cmd::StatementOptions),
    Acceptance(crate::acceptance_cmd::AcceptanceOptions),
    Backup(crate::backup_cmd::BackupOptions),
    Sim(SimOptions),
}

/// `serve` flags; `None` means "not given here": the config file, then the default, decide.
pub(crate) struct ServeOptions {
    pub(crate) config: Option<PathBuf>,
    pub(crate) data_dir: Option<PathBuf>,
    pub(crate) http: Option<SocketAddr>,
    pub(crate) smpp: Option<SocketAddr>,
    pub(crate) cmpp: Option<SocketAddr>,
    pub(crate) sim_report_delay: Option<Duration>,
    pub(crate) sim_submit_latency: Option<Duration>,
}

pub(crate) struct AccountOptions {
    pub(crate) data_dir: PathBuf,
    pub(crate) name: String,
    /// The approved default signature for every category; the account name if not given.
    pub(crate) signature: Option<String>,
    pub(crate) extension: String,
    pub(crate) json: bool,
}

/// `hongyan account limits ID …`: `Some(None)` clears a limit, `None` leaves it as it is.
pub(crate) struct LimitsOptions {
    pub(crate) data_dir: PathBuf,
    pub(crate) account: i64,
    pub(crate) rate: Option<Option<u32>>,
    pub(crate) daily: Option<Option<u64>>,
    pub(crate) monthly: Option<Option<u64>>,
    pub(crate) per_minute: Option<u32>,
    pub(crate) per_hour: Option<u32>,
    pub(crate) per_day: Option<u32>,
}

pub(crate) fn default_data_dir() -> PathBuf {
    std::env::var_os("HONGYAN_DATA_DIR").map_or_else(|| PathBuf::from("data"), PathBuf::from)
}

pub(crate) fn string(v: OsString, what: &str) -> Result<String, lexopt::Error> {
    v.into_string().map_err(|_| lexopt::Error::from(format!("{what} is not valid UTF-8")))
}

pub(crate) fn millis(p: &mut lexopt::Parser) -> Result<Duration, lexopt::Error> {
    Ok(Duration::from_millis(p.value()?.parse()?))
}

pub(crate) fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, lexopt::Error> {
    let mut p = lexopt::Parser::from_args(args);
    let Some(first) = p.next()? else {
        return Ok(Command::Help);
    };
    match first {
        Long("help") | Short('h') => Ok(Command::Help),
        Long("version") | Short('V') => Ok(Command::Version),
        Value(cmd) => match string(cmd, "command")?.as_str() {
            "serve" => serve(&mut p).map(Command::Serve),
            "check-config" => {
                let file = p.value()?.into();
                no_more(&mut p)?;
                Ok(Command::CheckConfig(file))
            }
            "config" => match p.next()? {
                Some(Value(v)) if v == "example" => no_more(&mut p).map(|()| Command::ConfigExample),
                _ => Err("expected `config example`".into()),
            },
            "account" => account(&mut p),
            "callback" => crate::callback_cmd::parse(&mut p).map(Command::Callback),
            "blacklist" => crate::content_cmd::blacklist(&mut p).map(Command::Blacklist),
            "template" => crate::content_cmd::template(&mut p).map(Command::Template),
            "portability" => {
                match p.next()? {
                    Some(Value(v)) if v == "import" => {}
                    _ => return Err("expected `portability import FILE.csv`".into()),
                }
                let file = p.value()?.into();
                let mut data_dir = default_data_dir();
                while let Some(arg) = p.next()? {
                    match arg {
                        Long("data-dir") => data_dir = p.value()?.into(),
                        other => return Err(other.unexpected()),
                    }
                }
                Ok(Command::PortabilityImport { data_dir, file })
            }
            "signature" => crate::content_cmd::signature(&mut p).map(Command::Signature),
            "sim" => crate::sim_cmd::parse(&mut p).map(Command::Sim),
            "keys" => crate::keys_cmd::parse(&mut p).map(Command::Keys),
            "statement" => crate::statement_cmd::parse(&mut p).map(Command::Statement),
            "acceptance" => crate::acceptance_cmd::parse(&mut p).map(Command::Acceptance),
            "backup" => crate::backup_cmd::parse_backup(&mut p).map(Command::Backup),
            "restore" => crate::backup_cmd::parse_restore(&mut p).map(Command::Backup),
            "help" => Ok(Command::Help),
            other => Err(format!("unknown command `{other}`").into()),
        },
        other => Err(other.unexpected()),
    }
}

fn no_more(p: &mut lexopt::Parser) -> Result<(), lexopt::Error> {
    match p.next()? {
        None => Ok(()),
        Some(other) => Err(other.unexpected()),
    }
}

fn serve(p: &mut lexopt::Parser) -> Result<ServeOptions, lexopt::Error> {
    let http = match std::env::var("HONGYAN_HTTP_ADDR") {
        Ok(v) => Some(v.parse().map_err(|e| format!("HONGYAN_HTTP_ADDR `{v}`: {e}"))?),
        Err(_) => None,
    };
    let mut o = ServeOptions {
        config: None,
        data_dir: std::env::var_os("HONGYAN_DATA_DIR").map(PathBuf::from),
        http,
        smpp: None,
        cmpp: None,
        sim_report_delay: None,
        sim_submit_latency: None,
    };
    while let Some(arg) = p.next()? {
        match arg {
            Long("config") => o.config = Some(p.value()?.into()),
            Long("data-dir") => o.data_dir = Some(p.value()?.into()),
            Long("http") => o.http = Some(p.value()?.parse()?),
            Long("smpp") => o.smpp = Some(p.value()?.parse()?),
            Long("cmpp") => o.cmpp = Some(p.value()?.parse()?),
            Long("sim-report-delay-ms") => o.sim_report_delay = Some(millis(p)?),
            Long("sim-submit-latency-ms") => o.sim_submit_latency = Some(millis(p)?),
            other => return Err(other.unexpected()),
        }
    }
    Ok(o)
}

fn account(p: &mut lexopt::Parser) -> Result<Command, lexopt::Error> {
    match p.next()? {
        Some(Value(v)) if v == "create" => account_create(p).map(Command::AccountCreate),
        Some(Value(v)) if v == "limits" => limits(p).map(Command::AccountLimits),
        Some(Value(v)) if v == "smpp" => crate::login_cmd::parse(p, "smpp").map(Command::ClientLogin),
        Some(Value(v)) if v == "cmpp" => crate::login_cmd::parse(p, "cmpp").map(Command::ClientLogin),
        Some(Value(v)) if v == "free-text" => {
            let account = int(p, "ACCOUNT_ID")?;
            let allowed = match string(p.value()?, "on|off")?.as_str() {
                "on" => true,
                "off" => false,
                other => return Err(format!("free-text is on or off, not `{other}`").into()),
            };
            let mut data_dir = default_data_dir();
            while let Some(arg) = p.next()? {
                match arg {
                    Long("data-dir") => data_dir = p.value()?.into(),
                    other => return Err(other.unexpected()),
                }
            }
            Ok(Command::FreeText { data_dir, account, allowed })
        }
        Some(other) => Err(format!("expected `account create NAME` or `account limits ID`, got {other:?}").into()),
        None => Err("expected `account create NAME` or `account limits ID`".into()),
    }
}

/// A limit value: a number, or `none` for no limit.
fn limit<T: std::str::FromStr + Into<u64> + Copy>(
    p: &mut lexopt::Parser,
    what: &str,
) -> Result<Option<T>, lexopt::Error> {
    // The store keeps signed 64-bit values; a trillion is far beyond any real limit.
    const MAX: u64 = 1_000_000_000_000;
    let v = string(p.value()?, what)?;
    if v == "none" {
        return Ok(None);
    }
    match v.parse::<T>() {
        Ok(n) if n.into() <= MAX => Ok(Some(n)),
        _ => Err(format!("{what} takes a number up to {MAX} or `none`, got `{v}`").into()),
    }
}

fn limits(p: &mut lexopt::Parser) -> Result<LimitsOptions, lexopt::Error> {
    let account = int(p, "ACCOUNT_ID")?;
    let mut o = LimitsOptions {
        data_dir: default_data_dir(),
        account,
        rate: None,
        daily: None,
        monthly: None,
        per_minute: None,
        per_hour: None,
        per_day: None,
    };
    while let Some(arg) = p.next()? {
        match arg {
            Long("data-dir") => o.data_dir = p.value()?.into(),
            Long("rate") => o.rate = Some(limit(p, "--rate")?),
            Long("daily") => o.daily = Some(limit(p, "--daily")?),
            Long("monthly") => o.monthly = Some(limit(p, "--monthly")?),
            Long("verification-per-minute") => o.per_minute = Some(p.value()?.parse()?),
            Long("verification-per-hour") => o.per_hour = Some(p.value()?.parse()?),
            Long("verification-per-day") => o.per_day = Some(p.value()?.parse()?),
            other => return Err(other.unexpected()),
        }
    }
    Ok(o)
}

fn account_create(p: &mut lexopt::Parser) -> Result<AccountOptions, lexopt::Error> {
    let (mut data_dir, mut name, mut json) = (default_data_dir(), None, false);
    let (mut signature, mut extension) = (None, String::new());
    while let Some(arg) = p.next()? {
        match arg {
            Long("data-dir") => data_dir = p.value()?.into(),
            Long("json") => json = true,
            Long("signature") => signature = Some(signature_text(string(p.value()?, "--signature")?)?),
            Long("extension") => extension = digits(string(p.value()?, "--extension")?)?,
            Value(v) if name.is_none() => name = Some(string(v, "NAME")?),
            other => return Err(other.unexpected()),
        }
    }
    let name = name.ok_or("account create needs a NAME")?;
    let valid =
        !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !valid {
        return Err("NAME must be 1–64 characters of letters, digits, `-`, `_` or `.`".into());
    }
    Ok(AccountOptions { data_dir, name, signature, extension, json })
}

/// A signature's text: 2–20 characters, no brackets (the platform adds 【】).
pub(crate) fn signature_text(s: String) -> Result<String, lexopt::Error> {
    let n = s.chars().count();
    if !(2..=20).contains(&n) || s.contains(['【', '】', '[', ']']) || s.trim() != s {
        return Err("a signature is 2–20 characters without brackets or surrounding spaces".into());
    }
    Ok(s)
}

/// An extension code: up to 6 digits.
pub(crate) fn digits(s: String) -> Result<String, lexopt::Error> {
    if s.len() > 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("an extension code is at most 6 digits".into());
    }
    Ok(s)
}

pub(crate) fn int(p: &mut lexopt::Parser, what: &str) -> Result<i64, lexopt::Error> {
    let v = string(p.value()?, what)?;
    v.parse().map_err(|_| format!("{what} must be a number, got `{v}`").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<OsString> {
        s.split_whitespace().map(OsString::from).collect()
    }

    #[test]
    fn parses_serve_flags() {
        let Command::Serve(o) =
            parse(args("serve --data-dir /tmp/x --http 127.0.0.1:9 --sim-report-delay-ms 50")).unwrap()
        else {
            panic!("not serve")
        };
        assert_eq!(o.data_dir, Some(PathBuf::from("/tmp/x")));
        assert_eq!(o.http.map(|a| a.port()), Some(9));
        assert_eq!(o.sim_report_delay, Some(Duration::from_millis(50)));
        assert!(
            matches!(parse(args("check-config x.toml")), Ok(Command::CheckConfig(f)) if f == std::path::Path::new("x.toml"))
        );
        assert!(matches!(parse(args("config example")), Ok(Command::ConfigExample)));
        assert!(parse(args("config example extra")).is_err());
    }

    #[test]
    fn parses_keys_commands_and_refuses_strays() {
        assert!(matches!(parse(args("keys add --config h.toml --data-dir d")), Ok(Command::Keys(_))));
        assert!(matches!(parse(args("keys rekey")), Ok(Command::Keys(_))));
        for bad in ["keys", "keys rotate", "keys add --force", "keys rekey extra"] {
            let err = parse(args(bad)).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(!err.is_empty(), "{bad:?} was taken");
        }
        let Err(e) = parse(args("keys rotate")) else { panic!("taken") };
        assert!(e.to_string().contains("add, rekey"), "{e}");
    }

    #[test]
    fn rejects_unknown_flags_and_bad_names() {
        assert!(parse(args("serve --nope")).is_err());
        assert!(parse(args("frobnicate")).is_err());
        assert!(parse(args("account create")).is_err());
        assert!(parse(args("account create bad/name")).is_err());
        assert!(parse(args("account limits 1 --daily 10000000000000000000")).is_err(), "past what the store keeps");
        assert!(parse(args("account limits 1 --daily 1000000000000 --rate none")).is_ok());
        assert!(parse(args("account cmpp 1 --sp-id 12345")).is_err(), "an SP_Id is 6 digits");
        assert!(parse(args("account smpp 1 --system-id waytoolongsystemid")).is_err(), "a system_id is at most 15");
        assert!(
            matches!(parse(args("account create etax --json")), Ok(Command::AccountCreate(o)) if o.json && o.name == "etax")
        );
    }

    #[test]
    fn parses_simulator_scenarios() {
        assert!(parse(args("sim mqtt")).is_err());
        assert!(parse(args("sim smgp --outcomes DELIVRD")).is_err());
        let Command::Sim(o) = parse(args(
            "sim sgip --outcomes DELIVRD:3,UNDELIV/005:1 --rate-limit 50 --drop-every 7 --duplicate-reports",
        ))
        .unwrap() else {
            panic!("not sim")
        };
        assert_eq!((o.protocol, o.listen.port()), (crate::sim_cmd::SimProtocol::Sgip, 8801));
        assert_eq!(o.scenario.outcomes[1].err, "005");
        assert_eq!((o.scenario.rate_limit, o.scenario.drop_every), (Some(50), Some(7)));
        assert!(o.scenario.duplicate_reports);
        let Command::Sim(o) = parse(args("sim smpp --mo 13800138000:TD --mo 13900139000@1069001:退订")).unwrap()
        else {
            panic!("not sim")
        };
        assert_eq!(o.scenario.mo.len(), 2);
        assert_eq!((o.scenario.mo[1].text.as_str(), o.scenario.mo[1].to.as_str()), ("退订", "1069001"));
        assert!(parse(args("sim smpp --mo TD")).is_err());
    }
}
