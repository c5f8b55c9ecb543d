//! The two gateways under test, each started as child processes against the same sink with
//! one SMPP bind and window 100, and the HTTP request each one's API takes for one message.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use anyhow::{ensure, Context};

use crate::load::MakeRequest;
use crate::procs::Proc;
use crate::sink::WINDOW;

/// The signature both peers' messages carry (Hongyan adds it; Kannel is sent it).
pub(crate) const SIGNATURE: &str = "某省税务局";
/// One UCS-2 segment with the signature (under 70 characters), so one request = one submit_sm.
pub(crate) const CONTENT: &str = "您的个人所得税申报已受理，请登录电子税务局查看办理结果。";
/// The source address both peers put in submit_sm.
pub(crate) const SOURCE: &str = "106900001234";
/// The SMPP login both peers bind with (the sink accepts any).
pub(crate) const LOGIN: &str = "bench";
const KANNEL_SBIN: &str = "/usr/sbin";

/// A gateway under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Peer {
    Hongyan,
    Kannel,
}

impl Peer {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Hongyan => "Hongyan",
            Self::Kannel => "Kannel 1.4.5",
        }
    }
}

/// A started peer: its processes (in start order) and where its API listens.
pub(crate) struct Running {
    pub(crate) procs: Vec<Proc>,
    pub(crate) http: SocketAddr,
    pub(crate) make: MakeRequest,
}

impl Running {
    /// Stops the processes, the last started first (Kannel's smsbox before its bearerbox).
    pub(crate) fn stop(&mut self) {
        for p in self.procs.iter_mut().rev() {
            p.stop(std::time::Duration::from_secs(30));
        }
    }
}

/// The number message `i` goes to: China Mobile's 138 block, a different number each time
/// (so no per-number limit or duplicate check can refuse one).
pub(crate) fn number(i: u64) -> String {
    format!("138{:08}", i % 100_000_000)
}

pub(crate) fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// `hongyan serve` with one SMPP channel to the sink and an interface account whose key
/// signs the requests; with `callback`, the account's reports are pushed there.
pub(crate) fn start_hongyan(
    bin: &Path,
    dir: &Path,
    sink: SocketAddr,
    callback: Option<SocketAddr>,
) -> anyhow::Result<Running> {
    crate::hongyan::Setup { bin, dir, sink, extra: String::new(), callback, links: 1 }.prepare()?.start()
}

/// True when Debian's kannel package is installed.
pub(crate) fn kannel_installed() -> bool {
    Path::new(KANNEL_SBIN).join("bearerbox").exists() && Path::new(KANNEL_SBIN).join("smsbox").exists()
}

/// `apt-get install -y kannel`, waiting for the dpkg lock rather than failing on it (another
/// installer on the machine must not break either run).
pub(crate) fn install_kannel() -> anyhow::Result<()> {
    eprintln!("kannel is not installed: apt-get install -y kannel");
    let status = Command::new("apt-get")
        .args(["-o", "DPkg::Lock::Timeout=600", "install", "-y", "--no-install-recommends", "kannel"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .context("running apt-get")?;
    ensure!(status.success() && kannel_installed(), "apt-get install kannel failed ({status})");
    Ok(())
}

/// bearerbox (the SMPP link) and smsbox (the sendsms HTTP API), from one kannel.conf; with
/// `dlr`, every request asks for its delivered report at that address (`dlr-url`).
pub(crate) fn start_kannel(dir: &Path, sink: SocketAddr, dlr: Option<SocketAddr>) -> anyhow::Result<Running> {
    let (admin, boxes, sendsms) = (free_port()?, free_port()?, free_port()?);
    let conf = dir.join("kannel.conf");
    std::fs::write(&conf, kannel_config(admin, boxes, sendsms, sink)).context("writing kannel.conf")?;
    let bin = |name: &str| PathBuf::from(KANNEL_SBIN).join(name);
    // `-v 1`: the console log level (info); the config's log-level is the log file's only.
    let mut bearer = Command::new(bin("bearerbox"));
    bearer.args(["-v", "1"]).arg(&conf);
    let mut bearerbox = Proc::spawn("bearerbox", bearer, &dir.join("bearerbox.log"))?;
    // smsbox gives up at once when bearerbox is not listening yet.
    wait_listening(&mut bearerbox, boxes)?;
    let mut sms = Command::new(bin("smsbox"));
    sms.args(["-v", "1"]).arg(&conf);
    let smsbox = Proc::spawn("smsbox", sms, &dir.join("smsbox.log"))?;
    // %p: the handset number, %d: the report type (1 = delivered).
    let dlr =
        dlr.map(|addr| format!("&dlr-mask=1&dlr-url={}", percent_encode(&format!("http://{addr}/dlr?to=%p&type=%d"))));
    let make: MakeRequest = Arc::new(move |i| kannel_request(i, dlr.as_deref().unwrap_or("")));
    Ok(Running { procs: vec![bearerbox, smsbox], http: SocketAddr::from(([127, 0, 0, 1], sendsms)), make })
}

/// Until `port` on 127.0.0.1 accepts a connection (30 s at most).
fn wait_listening(proc: &mut Proc, port: u16) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        proc.check_alive()?;
        ensure!(std::time::Instant::now() < deadline, "{} is not listening on {port} after 30 s", proc.name);
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Ok(())
}

/// Messages in memory only (no store-file), as Kannel is usually run; log level 1 (info),
/// like Hongyan's default; one transceiver bind with `max-pending-submits` as the window.
fn kannel_config(admin: u16, boxes: u16, sendsms: u16, sink: SocketAddr) -> String {
    format!(
        r#"group = core
admin-port = {admin}
admin-password = bench
smsbox-port = {boxes}
box-allow-ip = "127.0.0.1"
log-level = 1

group = smsc
smsc = smpp
smsc-id = sink
host = {host}
port = {port}
transceiver-mode = true
smsc-username = {LOGIN}
smsc-password = {LOGIN}
system-type = ""
max-pending-submits = {WINDOW}

group = smsbox
bearerbox-host = 127.0.0.1
sendsms-port = {sendsms}
log-level = 1

group = sendsms-user
username = {LOGIN}
password = {LOGIN}
max-messages = 1
"#,
        host = sink.ip(),
        port = sink.port()
    )
}

fn kannel_request(i: u64, dlr: &str) -> Vec<u8> {
    let text = percent_encode(&format!("【{SIGNATURE}】{CONTENT}"));
    format!(
        "GET /cgi-bin/sendsms?username={LOGIN}&password={LOGIN}&from={SOURCE}&to={}&coding=2&charset=UTF-8&text={text}{dlr} \
         HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        number(i)
    )
    .into_bytes()
}

/// Every byte outside the URL's unreserved set as %XX.
fn percent_encode(s: &str) -> String {
    s.bytes().fold(String::with_capacity(s.len() * 3), |mut out, b| {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
        out
    })
}
