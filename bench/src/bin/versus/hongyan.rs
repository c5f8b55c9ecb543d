//! `hongyan serve` for a run: its config (one SMPP channel to the sink, window 100 on each of its
//! binds, plus what
//! a scenario adds), an interface account made with the real CLI, logins for our SMPP and
//! CMPP servers, the request its API takes, and the process.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use anyhow::{ensure, Context};

use crate::load::MakeRequest;
use crate::peers::{free_port, number, Running, CONTENT, LOGIN, SIGNATURE, SOURCE};
use crate::procs::Proc;
use crate::sink::WINDOW;

/// What to start.
pub(crate) struct Setup<'a> {
    pub(crate) bin: &'a Path,
    pub(crate) dir: &'a Path,
    pub(crate) sink: SocketAddr,
    /// TOML appended to the config: `[servers]`, `[content]`, …
    pub(crate) extra: String,
    /// Where the account's reports are pushed, if anywhere.
    pub(crate) callback: Option<SocketAddr>,
    /// SMPP binds of the channel to the sink.
    pub(crate) links: u32,
}

/// A data folder with its config and account, ready to serve.
pub(crate) struct Prepared {
    bin: PathBuf,
    pub(crate) dir: PathBuf,
    config: PathBuf,
    port: u16,
    pub(crate) account: i64,
    /// The Basic credential: base64 of `key_id:secret`.
    pub(crate) auth: String,
}

impl Setup<'_> {
    /// Writes and checks the config, creates the account (and its callback).
    pub(crate) fn prepare(&self) -> anyhow::Result<Prepared> {
        let mut prepared = self.join((0, String::new()))?;
        let (account, auth) = create_account(self.bin, self.dir, &prepared.config)?;
        if let Some(addr) = self.callback {
            let url = format!("http://{addr}/cb");
            run(
                Command::new(self.bin)
                    .args(["callback", "set", &account.to_string(), &url, "--data-dir"])
                    .arg(self.dir)
                    .arg("--config")
                    .arg(&prepared.config),
                "callback set",
            )?;
        }
        (prepared.account, prepared.auth) = (account, auth);
        Ok(prepared)
    }

    /// Writes and checks the config of a node that joins a cluster whose account (id and
    /// credential) another node's [`Setup::prepare`] made.
    pub(crate) fn join(&self, (account, auth): (i64, String)) -> anyhow::Result<Prepared> {
        let port = free_port()?;
        let config = self.dir.join("hongyan.toml");
        std::fs::write(&config, format!("{}{}", config_text(self.dir, port, self.sink, self.links), self.extra))
            .context("writing hongyan.toml")?;
        run(Command::new(self.bin).arg("check-config").arg(&config), "check-config")?;
        Ok(Prepared { bin: self.bin.to_owned(), dir: self.dir.to_owned(), config, port, account, auth })
    }
}

impl Prepared {
    pub(crate) fn http(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// `hongyan serve` with this config, its output in `log` in the data folder.
    pub(crate) fn spawn(&self, log: &str) -> anyhow::Result<Proc> {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("serve").arg("--config").arg(&self.config).arg("--data-dir").arg(&self.dir);
        cmd.arg("--http").arg(self.http().to_string());
        Proc::spawn("hongyan", cmd, &self.dir.join(log))
    }

    /// The server started, taking single-message notification requests.
    pub(crate) fn start(&self) -> anyhow::Result<Running> {
        let auth = self.auth.clone();
        let make: MakeRequest = Arc::new(move |i| request(&auth, &[number(i)], "notification"));
        Ok(Running { procs: vec![self.spawn("hongyan.log")?], http: self.http(), make })
    }

    /// `hongyan account smpp|cmpp ID --json`: the login and its secret.
    pub(crate) fn client_login(&self, protocol: &str) -> anyhow::Result<(String, String)> {
        let out = run(
            Command::new(&self.bin)
                .args(["account", protocol, &self.account.to_string(), "--json", "--data-dir"])
                .arg(&self.dir)
                .arg("--config")
                .arg(&self.config),
            "account smpp|cmpp",
        )?;
        let v: serde_json::Value = serde_json::from_slice(&out).context("account smpp|cmpp printed no JSON")?;
        let field = |k: &str| v[k].as_str().map(str::to_owned).with_context(|| format!("no {k} in {v}"));
        Ok((field("login")?, field("secret")?))
    }
}

/// Runs a CLI command to success; its stdout.
fn run(cmd: &mut Command, what: &str) -> anyhow::Result<Vec<u8>> {
    let out = cmd.output().with_context(|| format!("running hongyan {what}"))?;
    ensure!(out.status.success(), "hongyan {what} failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(out.stdout)
}

fn config_text(dir: &Path, port: u16, sink: SocketAddr, links: u32) -> String {
    format!(
        r#"data_dir = "{dir}"
http = "127.0.0.1:{port}"

[simulators]
enabled = false

[[channel]]
name = "sink"
protocol = "smpp"
version = "3.4"
address = "{sink}"
username = "{LOGIN}"
password = "{LOGIN}"
source = "{SOURCE}"
connections = {links}
window = {WINDOW}
carriers = ["china_mobile", "china_unicom", "china_telecom"]

"#,
        dir = dir.display()
    )
}

/// `hongyan account create bench --json`: the account id and the Basic credential, base64
/// of `key_id:secret`.
fn create_account(bin: &Path, dir: &Path, config: &Path) -> anyhow::Result<(i64, String)> {
    let out = run(
        Command::new(bin)
            .args(["account", "create", "bench", "--json", "--signature", SIGNATURE, "--data-dir"])
            .arg(dir)
            .arg("--config")
            .arg(config),
        "account create",
    )?;
    let v: serde_json::Value = serde_json::from_slice(&out).context("account create printed no JSON")?;
    let field = |k: &str| v[k].as_str().map(str::to_owned).with_context(|| format!("no {k} in {v}"));
    use base64::Engine as _;
    let id = v["account_id"].as_i64().with_context(|| format!("no account_id in {v}"))?;
    Ok((id, base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", field("key_id")?, field("secret")?))))
}

/// A verification code's text (one segment with the signature).
const CODE: &str = "您的验证码是 482913，5 分钟内有效，请勿告诉他人。";

/// `POST /api/v1/messages` to `to` in `category`: a code for verification, else `CONTENT`.
pub(crate) fn request(auth: &str, to: &[String], category: &str) -> Vec<u8> {
    let content = if category == "verification" { CODE } else { CONTENT };
    let mut numbers = String::with_capacity(to.len() * 14);
    for (i, n) in to.iter().enumerate() {
        if i > 0 {
            numbers.push(',');
        }
        numbers.push('"');
        numbers.push_str(n);
        numbers.push('"');
    }
    let body = format!(r#"{{"to":[{numbers}],"content":"{content}","category":"{category}"}}"#);
    let mut out = format!(
        "POST /api/v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {auth}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

/// The numbers of messages `first .. first + count`.
pub(crate) fn numbers(first: u64, count: u64) -> Vec<String> {
    (first..first + count).map(number).collect()
}

/// `GET path` with the account's credential.
pub(crate) fn get(auth: &str, path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {auth}\r\n\r\n").into_bytes()
}
