//! Turning a configured `[[channel]]` into a gateway channel: the one place that knows every
//! protocol's settings type.

use std::net::SocketAddr;

use anyhow::{bail, Context, Result};
use hongyan_cmpp_proto::session::SessionConfig as CmppSession;
use hongyan_cmpp_proto::Version as CmppVersion;
use hongyan_config::{ChannelDef, Protocol};
use hongyan_engine::ChannelSpec;
use hongyan_gateway::cmpp::CmppSettings;
use hongyan_gateway::sgip::SgipSettings;
use hongyan_gateway::smgp::SmgpSettings;
use hongyan_gateway::smpp::SmppSettings;
use hongyan_gateway::{ChannelConfig, ProtocolConfig};
use hongyan_net::ServerTls;
use hongyan_sgip_proto::session::SessionConfig as SgipSession;
use hongyan_smgp_proto::session::SessionConfig as SmgpSession;
use hongyan_smpp_proto::session::SessionConfig as SmppSession;

/// A channel ready to run, with what the engine needs to route to it.
pub(crate) type Channel = (ChannelConfig, ChannelSpec);

/// `certificate` is the `[tls]` one, for an SGIP channel in TLS to listen with (a simulated
/// channel has none: it is never in TLS).
pub(crate) fn channel(def: &ChannelDef, addr: SocketAddr, certificate: Option<&ServerTls>) -> Result<Channel> {
    channel_of(def, addr, false, certificate)
}

/// The channel of one of the embedded simulators.
pub(crate) fn simulated(def: &ChannelDef, addr: SocketAddr) -> Result<Channel> {
    channel_of(def, addr, true, None)
}

fn channel_of(def: &ChannelDef, addr: SocketAddr, simulated: bool, certificate: Option<&ServerTls>) -> Result<Channel> {
    let protocol = match def.protocol {
        Protocol::Cmpp => ProtocolConfig::Cmpp(CmppSettings {
            sp_id: def.username.clone(),
            secret: def.password.clone(),
            src_id: def.source.clone(),
            service_id: def.service_id.clone(),
            session: CmppSession {
                version: if def.version == "2.0" { CmppVersion::V20 } else { CmppVersion::V30 },
                window: def.window,
                keepalive_idle: def.keepalive,
                response_timeout: def.response_timeout,
                max_attempts: def.max_attempts,
                ..CmppSession::default()
            },
        }),
        Protocol::Smgp => ProtocolConfig::Smgp(SmgpSettings {
            client_id: def.username.clone(),
            secret: def.password.clone(),
            src_term_id: def.source.clone(),
            service_id: def.service_id.clone(),
            session: SmgpSession {
                window: def.window,
                keepalive_idle: def.keepalive,
                response_timeout: def.response_timeout,
                max_attempts: def.max_attempts,
                ..SmgpSession::default()
            },
        }),
        Protocol::Sgip => ProtocolConfig::Sgip(SgipSettings {
            login_name: def.username.clone(),
            password: def.password.clone(),
            sp_number: def.source.clone(),
            corp_id: def.corp_id.clone(),
            service_type: def.service_id.clone(),
            listen: match def.listen.as_deref().map(str::parse) {
                Some(Ok(a)) => a,
                _ => bail!("channel `{}`: SGIP needs a valid `listen` address", def.name),
            },
            listen_tls: match (&def.tls, certificate) {
                (None, _) => None,
                (Some(_), Some(c)) => Some(c.clone()),
                (Some(_), None) => bail!("channel `{}`: an SGIP channel in TLS needs [tls] cert and key", def.name),
            },
            session: SgipSession {
                node_id: def.node_id,
                window: def.window,
                response_timeout: def.response_timeout,
                max_attempts: def.max_attempts,
                ..SgipSession::default()
            },
        }),
        Protocol::Smpp => ProtocolConfig::Smpp(SmppSettings {
            system_id: def.username.clone(),
            password: def.password.clone(),
            system_type: String::new(),
            source: def.source.clone(),
            service_type: def.service_id.clone(),
            session: SmppSession {
                window: def.window,
                enquire_link_interval: def.keepalive,
                response_timeout: def.response_timeout,
                max_attempts: def.max_attempts,
                ..SmppSession::default()
            },
        }),
    };
    let cfg = ChannelConfig {
        name: def.name.clone(),
        addr,
        tls: def.tls.as_ref().map(|t| tls_target(def, t)).transpose()?,
        connections: def.connections,
        rate: def.rate,
        simulated,
        protocol,
        failover_after: def.failover_after,
    };
    let spec = ChannelSpec {
        name: def.name.clone(),
        carriers: def.carriers.clone(),
        prefixes: def.prefixes.clone(),
        priority: def.priority,
        weight: def.weight,
    };
    Ok((cfg, spec))
}

/// TLS towards a channel's gateway: its certificate checked against Mozilla's roots and the
/// channel's own CA file, for the name given or the address's host.
fn tls_target(def: &ChannelDef, tls: &hongyan_config::ChannelTls) -> Result<hongyan_net::TlsTarget> {
    let ca_files: Vec<std::path::PathBuf> = tls.ca_file.iter().cloned().collect();
    let trust =
        hongyan_net::Trust::with_ca_files(&ca_files).with_context(|| format!("channel `{}`: tls_ca_file", def.name))?;
    let host = def.address.rsplit_once(':').map_or(def.address.as_str(), |(h, _)| h);
    let name = tls.server_name.as_deref().unwrap_or(host.trim_start_matches('[').trim_end_matches(']'));
    hongyan_net::TlsTarget::new(trust, name).map_err(|e| anyhow::anyhow!("channel `{}`: tls_server_name {e}", def.name))
}

#[cfg(test)]
mod tests {
    fn def(extra: &str) -> hongyan_config::ChannelDef {
        let text = format!(
            "[[channel]]\nname = \"cmcc\"\nprotocol = \"cmpp\"\naddress = \"10.1.1.10:7890\"\nusername = \"901234\"\n\
             password = \"p\"\nsource = \"1069\"\ncarriers = [\"china_mobile\"]\n{extra}"
        );
        hongyan_config::parse(&text).unwrap().channels.remove(0)
    }

    #[test]
    fn a_tls_channel_names_its_gateway_by_its_address_and_a_bad_ca_file_stops_the_start() {
        let addr = "10.1.1.10:7890".parse().unwrap();
        let (cfg, _) = super::channel(&def("tls = true\n"), addr, None).unwrap();
        let target = cfg.tls.expect("tls on");
        assert_eq!(target.server_name.to_str(), "10.1.1.10");
        assert!(super::channel(&def(""), addr, None).unwrap().0.tls.is_none());
        let missing = def("tls = true\ntls_ca_file = \"/nonexistent/carrier-ca.pem\"\n");
        let Err(e) = super::channel(&missing, addr, None) else { panic!("started without its CA") };
        let said = format!("{e:#}");
        assert!(said.contains("channel `cmcc`: tls_ca_file") && said.contains("/nonexistent/carrier-ca.pem"), "{said}");
    }
}
