//! `[[channel]]`: one carrier gateway connection group.

use std::collections::HashSet;
use std::time::Duration;

use hongyan_types::Carrier;

use crate::walk::{Table, Walker};

/// Carrier protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// China Mobile CMPP (versions 2.0, 3.0).
    Cmpp,
    /// China Unicom SGIP (1.2).
    Sgip,
    /// China Telecom SMGP (3.0).
    Smgp,
    /// SMPP (3.4).
    Smpp,
}

impl Protocol {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "cmpp" => Some(Self::Cmpp),
            "sgip" => Some(Self::Sgip),
            "smgp" => Some(Self::Smgp),
            "smpp" => Some(Self::Smpp),
            _ => None,
        }
    }

    /// Versions this platform speaks, the default first.
    pub fn versions(self) -> &'static [&'static str] {
        match self {
            Self::Cmpp => &["3.0", "2.0"],
            Self::Sgip => &["1.2"],
            Self::Smgp => &["3.0"],
            Self::Smpp => &["3.4"],
        }
    }

    /// Name in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cmpp => "cmpp",
            Self::Sgip => "sgip",
            Self::Smgp => "smgp",
            Self::Smpp => "smpp",
        }
    }
}

/// One validated `[[channel]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelDef {
    /// Unique name; stored with every message sent through it.
    pub name: String,
    /// Protocol.
    pub protocol: Protocol,
    /// Protocol version, one of [`Protocol::versions`].
    pub version: String,
    /// Gateway `host:port`.
    pub address: String,
    /// Login: SP_Id (CMPP), login name (SGIP), ClientID (SMGP), system_id (SMPP).
    pub username: String,
    /// Shared secret / password.
    pub password: String,
    /// SP service code or source number shown to handsets (Src_Id, SPNumber, SrcTermID, source_addr).
    pub source: String,
    /// Service_Id / ServiceType; empty when the carrier does not ask for one.
    pub service_id: String,
    /// Connections kept open (1–64).
    pub connections: usize,
    /// Unacknowledged requests per connection (1–256).
    pub window: usize,
    /// Contracted submits per second over all connections; `None` = unlimited.
    pub rate: Option<u32>,
    /// Carriers whose numbers it takes.
    pub carriers: Vec<Carrier>,
    /// If not empty, only numbers starting with one of these digit strings.
    pub prefixes: Vec<String>,
    /// Lower is preferred; channels with the same priority share traffic by weight.
    pub priority: u32,
    /// Share among channels of the same priority.
    pub weight: u32,
    /// SGIP only: where we listen for the Unicom gateway's own connections (reports, MO).
    pub listen: Option<String>,
    /// SGIP only: our node id (`3AAAAQQQQQ`, assigned by the operator), first part of every
    /// sequence number.
    pub node_id: u32,
    /// SGIP only: CorpId (企业代码).
    pub corp_id: String,
    /// Idle time before a keep-alive.
    pub keepalive: Duration,
    /// Time to wait for a response before re-sending.
    pub response_timeout: Duration,
    /// Sends of one request before giving up on it.
    pub max_attempts: u32,
    /// With no link up this long, traffic fails over to channels of a higher priority number.
    pub failover_after: Duration,
    /// TLS towards the gateway (`tls = true`); plain TCP without it.
    pub tls: Option<ChannelTls>,
}

/// How a channel's links check the gateway's certificate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChannelTls {
    /// A PEM file of CAs trusted beside Mozilla's roots (`tls_ca_file`): a carrier's own CA.
    pub ca_file: Option<std::path::PathBuf>,
    /// The name the certificate must carry (`tls_server_name`); the address's host without it.
    pub server_name: Option<String>,
}

/// An SP node id of the `3AAAAQQQQQ` form; operators assign the real one.
pub const DEFAULT_SGIP_NODE_ID: u32 = 3_000_000_000;

fn secs(v: i64) -> Duration {
    Duration::from_secs(v as u64)
}

fn is_host_port(s: &str) -> bool {
    s.rsplit_once(':').is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0))
}

/// Parses `channel[index]`; `None` when it has problems (they are recorded).
pub(crate) fn parse(w: &mut Walker, index: usize, mut t: Table) -> Option<ChannelDef> {
    let path = |key: &str| format!("channel[{index}].{key}");
    let name = t.req_str(w, "name");
    let protocol_text = t.req_str(w, "protocol");
    let protocol = protocol_text.as_deref().and_then(|p| {
        let parsed = Protocol::parse(p);
        if parsed.is_none() {
            w.problem(path("protocol"), format!("`{p}` is not one of cmpp, sgip, smgp, smpp"));
        }
        parsed
    });
    let version = t.opt_str(w, "version");
    let address = t.req_str(w, "address");
    let username = t.req_str(w, "username");
    let password = t.req_str(w, "password");
    let source = t.req_str(w, "source");
    let service_id = t.opt_str(w, "service_id").unwrap_or_default();
    let connections = t.opt_int(w, "connections", 1, 64).unwrap_or(1) as usize;
    let window = t.opt_int(w, "window", 1, 256).unwrap_or(16) as usize;
    let rate = t.opt_int(w, "rate", 1, 1_000_000).map(|r| r as u32);
    let carriers = t.opt_str_array(w, "carriers");
    let prefixes = t.opt_str_array(w, "prefixes").unwrap_or_default();
    let priority = t.opt_int(w, "priority", 0, 1000).unwrap_or(0) as u32;
    let weight = t.opt_int(w, "weight", 1, 10_000).unwrap_or(100) as u32;
    let listen = t.opt_str(w, "listen");
    let node_id = t.opt_int(w, "node_id", 0, i64::from(u32::MAX)).map(|n| n as u32);
    let corp_id = t.opt_str(w, "corp_id");
    let keepalive = t.opt_int(w, "keepalive_secs", 1, 3600).map_or(Duration::from_secs(180), secs);
    let response_timeout = t.opt_int(w, "response_timeout_secs", 1, 600).map(secs);
    let max_attempts = t.opt_int(w, "max_attempts", 1, 10).unwrap_or(3) as u32;
    let failover_after = t.opt_int(w, "failover_after_secs", 1, 3600).map_or(Duration::from_secs(30), secs);
    let tls = t.opt_bool(w, "tls").unwrap_or(false);
    let tls_ca_file = t.opt_str(w, "tls_ca_file");
    let tls_server_name = t.opt_str(w, "tls_server_name");
    t.finish(w);
    for (key, given) in [("tls_ca_file", tls_ca_file.is_some()), ("tls_server_name", tls_server_name.is_some())] {
        if given && !tls {
            w.problem(path(key), "only with tls = true");
        }
    }
    let tls = tls.then(|| ChannelTls { ca_file: tls_ca_file.map(Into::into), server_name: tls_server_name });

    let carriers = carriers.map(|list| parse_carriers(w, &path("carriers"), list));
    if carriers.as_ref().is_some_and(Vec::is_empty) || carriers.is_none() {
        w.problem(path("carriers"), "list at least one of china_mobile, china_unicom, china_telecom, china_broadnet");
    }
    for (i, p) in prefixes.iter().enumerate() {
        if p.is_empty() || p.len() > 11 || !p.bytes().all(|b| b.is_ascii_digit()) {
            w.problem(format!("channel[{index}].prefixes[{i}]"), format!("`{p}` is not 1–11 digits"));
        }
    }
    if let Some(a) = &address {
        if !is_host_port(a) {
            w.problem(path("address"), format!("`{a}` is not host:port"));
        }
    }
    let protocol = protocol?;
    check_login_sizes(w, index, protocol, username.as_deref(), password.as_deref());
    let version = check_version(w, &path("version"), protocol, version);
    check_listen(w, &path("listen"), protocol, listen.as_deref());
    if protocol != Protocol::Sgip {
        for (key, given) in [("node_id", node_id.is_some()), ("corp_id", corp_id.is_some())] {
            if given {
                w.problem(path(key), "only SGIP channels have it");
            }
        }
    }
    Some(ChannelDef {
        name: name?,
        protocol,
        version: version?,
        address: address?,
        username: username?,
        password: password?,
        source: source?,
        service_id,
        connections,
        window,
        rate,
        carriers: carriers?,
        prefixes,
        priority,
        weight,
        listen,
        node_id: node_id.unwrap_or(DEFAULT_SGIP_NODE_ID),
        corp_id: corp_id.unwrap_or_default(),
        keepalive,
        // SGIP's spec waits 30 s for a response; the others 60 s.
        response_timeout: response_timeout.unwrap_or(Duration::from_secs(if protocol == Protocol::Sgip {
            30
        } else {
            60
        })),
        max_attempts,
        failover_after,
        tls,
    })
}

/// Wire sizes of the login fields, so a too-long value is caught here and not at first connect.
fn check_login_sizes(w: &mut Walker, index: usize, protocol: Protocol, username: Option<&str>, password: Option<&str>) {
    let (user_max, pass_max) = match protocol {
        Protocol::Cmpp => (6, usize::MAX),
        Protocol::Sgip => (16, 16),
        Protocol::Smgp => (8, usize::MAX),
        Protocol::Smpp => (15, 8),
    };
    if protocol == Protocol::Cmpp && username.is_some_and(|u| !u.bytes().all(|b| b.is_ascii_digit())) {
        // The SP_Id is hashed into the login digest as sent; only digits survive the wire as-is.
        w.problem(format!("channel[{index}].username"), "a CMPP SP_Id is digits (企业代码)");
    }
    for (key, value, max) in [("username", username, user_max), ("password", password, pass_max)] {
        if let Some(v) = value.filter(|v| v.len() > max) {
            w.problem(
                format!("channel[{index}].{key}"),
                format!("{} bytes; {} allows at most {max}", v.len(), protocol.as_str()),
            );
        }
    }
}

fn parse_carriers(w: &mut Walker, path: &str, list: Vec<String>) -> Vec<Carrier> {
    let mut out = Vec::new();
    for (i, c) in list.iter().enumerate() {
        match Carrier::parse(c) {
            Some(c) => out.push(c),
            None => w.problem(format!("{path}[{i}]"), format!("`{c}` is not a carrier")),
        }
    }
    out
}

fn check_version(w: &mut Walker, path: &str, protocol: Protocol, version: Option<String>) -> Option<String> {
    let known = protocol.versions();
    match version {
        None => Some(known[0].to_owned()),
        Some(v) if known.contains(&v.as_str()) => Some(v),
        Some(v) => {
            w.problem(
                path.to_owned(),
                format!("{} version `{v}` is not supported ({})", protocol.as_str(), known.join(", ")),
            );
            None
        }
    }
}

fn check_listen(w: &mut Walker, path: &str, protocol: Protocol, listen: Option<&str>) {
    match (protocol, listen) {
        (Protocol::Sgip, None) => {
            w.problem(path.to_owned(), "SGIP needs the address where the Unicom gateway connects to us")
        }
        (Protocol::Sgip, Some(l)) if l.parse::<std::net::SocketAddr>().is_err() => {
            w.problem(path.to_owned(), format!("`{l}` is not an address such as 0.0.0.0:8801"))
        }
        (Protocol::Sgip, Some(_)) => {}
        (_, Some(_)) => w.problem(path.to_owned(), "only SGIP channels listen"),
        (_, None) => {}
    }
}

/// An SGIP channel in TLS is in TLS both ways: the Unicom gateway's own connections to our
/// `listen` address get the certificate of `[tls]`, so that section must be there.
pub(crate) fn check_listen_tls(w: &mut Walker, channels: &[ChannelDef], have_certificate: bool) {
    for (i, c) in channels.iter().enumerate() {
        if c.protocol == Protocol::Sgip && c.tls.is_some() && !have_certificate {
            w.problem(
                format!("channel[{i}].tls"),
                "an SGIP channel in TLS listens in TLS too: it needs [tls] cert and key",
            );
        }
    }
}

/// Checks across channels: names are unique.
pub(crate) fn check_set(w: &mut Walker, channels: &[ChannelDef]) {
    let mut seen = HashSet::new();
    for (i, c) in channels.iter().enumerate() {
        if !seen.insert(c.name.as_str()) {
            w.problem(format!("channel[{i}].name"), format!("`{}` is used by an earlier channel", c.name));
        }
    }
}
