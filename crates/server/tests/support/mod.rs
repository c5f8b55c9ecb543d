//! Runs the real `hongyan` binary on free ports and talks to it over real HTTP.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_hongyan");

/// A fresh data folder under the system temp dir.
pub(crate) fn data_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hongyan-e2e-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One running server process.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) port: u16,
    pub(crate) data: PathBuf,
    pub(crate) log: PathBuf,
}

impl Server {
    /// Starts `hongyan serve` and waits until `/healthz` answers 200.
    pub(crate) fn start(data: &Path, extra: &[&str]) -> Self {
        let port = free_port();
        let run = std::fs::read_dir(data).map(|d| d.count()).unwrap_or(0);
        let log = data.join(format!("server-{run}.log"));
        let mut cmd = Command::new(BIN);
        cmd.arg("serve").arg("--data-dir").arg(data).arg("--http").arg(format!("127.0.0.1:{port}"));
        let out = std::fs::File::create(data.join(format!("server-{run}.out"))).unwrap();
        cmd.args(extra).env("HONGYAN_LOG", "info").stdout(out).stderr(std::fs::File::create(&log).unwrap());
        let child = cmd.spawn().expect("start hongyan");
        let mut server = Self { child, port, data: data.to_owned(), log };
        server.wait_ready();
        server
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("server exited early with {status}: {}", self.log_text());
            }
            if let Ok((200, _)) = self.try_request("GET", "/healthz", None, None) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("server not ready in 30 s: {}", self.log_text());
    }

    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub(crate) fn request(
        &self,
        method: &str,
        path: &str,
        auth: Option<&Credential>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        self.try_request(method, path, auth, body).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    fn try_request(
        &self,
        method: &str,
        path: &str,
        auth: Option<&Credential>,
        body: Option<&Value>,
    ) -> std::io::Result<(u16, Value)> {
        http(self.port, method, path, auth, body)
    }

    /// Sends SIGTERM and waits for the exit.
    pub(crate) fn terminate(mut self) -> (ExitStatus, String) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = wait_with_timeout(&mut self.child, Duration::from_secs(30));
        (status, self.log_text())
    }

    /// SIGKILL: no chance to flush or drain.
    pub(crate) fn kill(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.log_text()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_with_timeout(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        assert!(Instant::now() < deadline, "process did not exit within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An API key as printed by `hongyan account create --json`.
#[derive(Clone)]
pub(crate) struct Credential {
    pub(crate) key_id: String,
    pub(crate) secret: String,
}

pub(crate) fn create_account(data: &Path, name: &str) -> Credential {
    create_account_with(data, name, &[])
}

/// `hongyan account create NAME --json` with extra flags (e.g. `--signature`).
pub(crate) fn create_account_with(data: &Path, name: &str, extra: &[&str]) -> Credential {
    let out = Command::new(BIN)
        .args(["account", "create", name, "--json", "--data-dir"])
        .arg(data)
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "account create failed: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    Credential { key_id: v["key_id"].as_str().unwrap().into(), secret: v["secret"].as_str().unwrap().into() }
}

/// A minimal HTTP/1.1 client (one request per connection), enough to drive the API for real.
pub(crate) fn http(
    port: u16,
    method: &str,
    path: &str,
    auth: Option<&Credential>,
    body: Option<&Value>,
) -> std::io::Result<(u16, Value)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        req.push_str("Content-Type: application/json\r\n");
    }
    if let Some(c) = auth {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", c.key_id, c.secret));
        req.push_str(&format!("Authorization: Basic {token}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(&body);
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| std::io::Error::other("no header end"))?;
    let status =
        head.split(' ').nth(1).and_then(|c| c.parse().ok()).ok_or_else(|| std::io::Error::other("no status"))?;
    Ok((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

/// Polls until `check` holds or the time runs out.
pub(crate) fn eventually<T>(limit: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = check() {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `hongyan sim cmpp` (or another protocol's) as a process of its own, so it outlives a
/// SIGKILLed server and counts every submit it got in all; killed if a test fails before
/// [`CmppSim::stop`].
pub(crate) struct CmppSim {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl CmppSim {
    /// Starts the simulator (login `901234`/`s`) with `extra` flags, its journal under `data`.
    pub(crate) fn start(data: &Path, extra: &[&str]) -> Self {
        Self::start_as("cmpp", data, extra)
    }

    /// [`CmppSim::start`] for another protocol's simulator (`sgip`, `smgp`, `smpp`).
    pub(crate) fn start_as(protocol: &str, data: &Path, extra: &[&str]) -> Self {
        let port = free_port();
        let log = data.join("sim.log");
        let listen = format!("127.0.0.1:{port}");
        let child = Command::new(BIN)
            .args(["sim", protocol, "--listen", &listen, "--account", "901234", "--password", "s"])
            .args(extra)
            .arg("--data-dir")
            .arg(data.join("simdata"))
            .env("HONGYAN_LOG", "info")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Self { child, port, log }
    }

    /// Where it listens.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// A config file in `data` with one China Mobile channel `cmcc` to this simulator, plus
    /// `extra` lines of that `[[channel]]` table; the server's `--config` arguments.
    pub(crate) fn config(&self, data: &Path, extra: &str) -> [String; 2] {
        let config = data.join("hongyan.toml");
        std::fs::write(
            &config,
            format!(
                "[[channel]]\nname = \"cmcc\"\nprotocol = \"cmpp\"\naddress = \"127.0.0.1:{}\"\nusername = \"901234\"\n\
                 password = \"s\"\nsource = \"1069\"\ncarriers = [\"china_mobile\"]\n{extra}",
                self.port
            ),
        )
        .unwrap();
        ["--config".to_owned(), config.to_str().unwrap().to_owned()]
    }

    /// Stops it with SIGTERM; the submits it received in all, from its stop line.
    pub(crate) fn stop(mut self) -> usize {
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        self.child.wait().unwrap();
        let log = std::fs::read_to_string(&self.log).unwrap();
        log.split("submits=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("the simulator's stop line:\n{log}"))
    }
}

impl Drop for CmppSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
