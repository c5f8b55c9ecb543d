//! Our SMPP 3.4 server for client systems (the open platform's SMPP interface).
//!
//! Interface accounts bind as transmitter, receiver or transceiver with their SMPP login
//! (`hongyan account smpp ID`). submit_sm enters the same accept pipeline as the HTTP API
//! (limits, signatures, words, routing) through [`Engine::client_submit`]; long messages come
//! as UDH or sar_* parts, or whole in message_payload. An account over its rate is answered
//! ESME_RTHROTTLED. Receipts leave as deliver_sm, one per id the client was given, on a
//! receiver or transceiver bind of the account; those owed while no such bind exists wait in
//! the store and go out when one binds.
//!
//! What it does not do: frame, window or keep the link alive (`hongyan-smpp-proto`'s
//! [`SmscSession`](hongyan_smpp_proto::SmscSession)), decide anything about a message (the
//! engine), or speak TLS (not yet). query_sm, cancel_sm, replace_sm, submit_multi and
//! data_sm are refused with their failure codes.

mod conn;
mod receipts;
pub mod submit;

use std::sync::Arc;

use hongyan_engine::Engine;
use hongyan_smpp_proto::session::SessionConfig;
use tokio::sync::watch;

use crate::clients::Leases;

/// How the server behaves.
#[derive(Debug, Clone)]
pub struct SmppServerConfig {
    /// Window and timers of each session.
    pub session: SessionConfig,
    /// The system_id in bind responses.
    pub system_id: String,
}

impl Default for SmppServerConfig {
    fn default() -> Self {
        Self { session: SessionConfig::default(), system_id: "hongyan".into() }
    }
}

struct Shared {
    engine: Arc<Engine>,
    config: SmppServerConfig,
    leases: Arc<Leases>,
}

/// Serves client connections (over TLS when `tls` is given) until `shutdown` turns true; each
/// session then unbinds.
pub async fn serve(
    listener: impl Into<hongyan_net::Listener>,
    engine: Arc<Engine>,
    config: SmppServerConfig,
    tls: Option<hongyan_net::ServerTls>,
    shutdown: watch::Receiver<bool>,
) {
    let shared = Arc::new(Shared { engine, config, leases: Arc::default() });
    let connection = move |stream, peer, stop| conn::run(shared.clone(), stream, peer, stop);
    crate::clients::accept_loop(listener.into(), tls, shutdown, "SMPP server", connection).await;
}
