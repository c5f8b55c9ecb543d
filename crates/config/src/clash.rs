//! Addresses that cannot all work: two of our listeners on one address (the second bind
//! fails at start), and a channel whose gateway address is one of our own listeners on this
//! host (the channel would log in to our own server instead of the carrier's).
//!
//! Only what the file says can be judged: a channel to a host name other than `localhost` is
//! taken to be another machine, and the machine's own non-loopback addresses are not known.

use std::net::{IpAddr, SocketAddr};

use crate::{ChannelDef, Config, Problem, Servers};

/// The HTTP API's address when neither the file, `--http` nor `HONGYAN_HTTP_ADDR` gives one.
pub const DEFAULT_HTTP: &str = "127.0.0.1:8080";

/// One of our listening addresses and the key that sets it.
struct Listener {
    key: String,
    addr: SocketAddr,
}

/// Every clash in `config` (its channels numbered as in the file).
pub fn address_clashes(config: &Config) -> Vec<Problem> {
    clashes(config.http, &config.servers, config.channels.iter().enumerate())
}

/// Every clash, the later key named first and the earlier one in the message.
pub(crate) fn clashes<'a>(
    http: Option<SocketAddr>,
    servers: &Servers,
    channels: impl Iterator<Item = (usize, &'a ChannelDef)> + Clone,
) -> Vec<Problem> {
    let ours = listeners(http, servers, channels.clone());
    let mut problems = Vec::new();
    for (i, l) in ours.iter().enumerate() {
        if let Some(earlier) = ours[..i].iter().find(|e| same_listen(e.addr, l.addr)) {
            let message = format!(
                "{} is already taken by {} = {}: two listeners cannot share an address",
                l.addr, earlier.key, earlier.addr
            );
            problems.push(Problem { path: l.key.clone(), message });
        }
    }
    for (i, c) in channels {
        if let Some(own) = ours.iter().find(|l| reaches(&c.address, l.addr)) {
            let message = format!(
                "`{}` is our own {} = {} on this host: the channel would connect to this server, not the carrier's gateway",
                c.address, own.key, own.addr
            );
            problems.push(Problem { path: format!("channel[{i}].address"), message });
        }
    }
    problems
}

fn listeners<'a>(
    http: Option<SocketAddr>,
    servers: &Servers,
    channels: impl Iterator<Item = (usize, &'a ChannelDef)>,
) -> Vec<Listener> {
    let default_http = DEFAULT_HTTP.parse().expect("static address");
    let http = match http {
        Some(addr) => Listener { key: "http".into(), addr },
        None => Listener { key: "http (default)".into(), addr: default_http },
    };
    let mut ours = vec![http];
    ours.extend(servers.smpp.map(|addr| Listener { key: "servers.smpp".into(), addr }));
    ours.extend(servers.cmpp.map(|addr| Listener { key: "servers.cmpp".into(), addr }));
    for (i, c) in channels {
        if let Some(addr) = c.listen.as_deref().and_then(|l| l.parse().ok()) {
            ours.push(Listener { key: format!("channel[{i}].listen"), addr });
        }
    }
    // Port 0 is "any free port": it never clashes.
    ours.retain(|l| l.addr.port() != 0);
    ours
}

/// Two binds of one port clash when the addresses are equal or either is the wildcard (a
/// wildcard listener holds the port on every address, and `[::]` on IPv4 too).
fn same_listen(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() == b.port() && (a.ip() == b.ip() || a.ip().is_unspecified() || b.ip().is_unspecified())
}

/// Whether connecting to `address` (host:port) reaches `listener` on this host: the same
/// address, or a loopback, `localhost` or wildcard host when the listener takes loopback.
fn reaches(address: &str, listener: SocketAddr) -> bool {
    let Some((host, port)) = address.rsplit_once(':') else { return false };
    if port.parse::<u16>().ok() != Some(listener.port()) {
        return false;
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let local = |ip: IpAddr| ip.is_loopback() || ip.is_unspecified();
    let takes_loopback = local(listener.ip());
    match host.parse::<IpAddr>() {
        Ok(ip) => ip == listener.ip() || (local(ip) && takes_loopback),
        Err(_) => host.eq_ignore_ascii_case("localhost") && takes_loopback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn listeners_clash_on_one_port_when_equal_or_wildcard() {
        assert!(same_listen(addr("0.0.0.0:7890"), addr("127.0.0.1:7890")));
        assert!(same_listen(addr("[::]:7890"), addr("10.0.0.1:7890")));
        assert!(same_listen(addr("10.0.0.1:7890"), addr("10.0.0.1:7890")));
        assert!(!same_listen(addr("10.0.0.1:7890"), addr("10.0.0.2:7890")));
        assert!(!same_listen(addr("0.0.0.0:7890"), addr("0.0.0.0:7891")));
    }

    #[test]
    fn a_gateway_address_reaches_our_listener_only_on_this_host() {
        let wildcard = addr("0.0.0.0:7890");
        for same in ["127.0.0.1:7890", "localhost:7890", "LOCALHOST:7890", "0.0.0.0:7890", "[::1]:7890"] {
            assert!(reaches(same, wildcard), "{same}");
        }
        assert!(!reaches("127.0.0.1:7891", wildcard), "another port");
        assert!(!reaches("211.136.10.1:7890", wildcard), "another host (as far as the file tells)");
        assert!(!reaches("gw.example.cn:7890", wildcard), "a name other than localhost");
        assert!(reaches("10.0.0.5:7890", addr("10.0.0.5:7890")), "our own listening address");
        assert!(!reaches("127.0.0.1:7890", addr("10.0.0.5:7890")), "a listener off loopback is not reached so");
    }
}
