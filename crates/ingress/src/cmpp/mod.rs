//! Our CMPP 2.0/3.0 server for client systems (the open platform's CMPP interface).
//!
//! Interface accounts log in with their CMPP login (`hongyan account cmpp ID`): SP_Id as
//! Source_Addr and the MD5 authenticator over the shared secret. A SUBMIT enters the same
//! accept pipeline as the HTTP API through [`Engine::client_submit`], one message per
//! Dest_terminal_Id, each with its own Msg_Id (SUBMIT_RESP carries the first; recipient n has
//! the first + n, as the spec numbers a group send); Msg_Ids are in CMPP's layout (Beijing
//! time, our gateway code, a wrapping sequence: `ids.rs`); long messages come as parts with a UDH
//! (TP_udhi = 1) or Pk_total/Pk_number. An account over its rate gets Result 8 (flow control).
//! Status reports leave as DELIVER with Registered_Delivery = 1, one per Msg_Id the client was
//! given, on any connection of the account; those owed while it is offline wait in the store.
//!
//! What it does not do: frame, window or keep the link alive (`hongyan-cmpp-proto`'s
//! [`ServerSession`](hongyan_cmpp_proto::ServerSession)), decide anything about a message (the
//! engine), or forward replies (MO) over CMPP (they are pushed and pulled over HTTP for now).

mod conn;
mod ids;
mod receipts;
pub mod submit;

use std::sync::Arc;

use hongyan_cmpp_proto::SessionConfig;
use hongyan_engine::Engine;
use tokio::sync::watch;

use crate::clients::Leases;

/// The gateway (ISMG) code in our Msg_Ids when the configuration gives none.
pub const DEFAULT_GATEWAY_CODE: u32 = 1;

/// How the server behaves.
#[derive(Debug, Clone)]
pub struct CmppServerConfig {
    /// Window, timers and the highest version accepted (3.0 by default; 2.0 clients are
    /// answered in 2.0).
    pub session: SessionConfig,
    /// The gateway (ISMG) code our Msg_Ids carry (22 bits; wider values are cut to 22).
    pub gateway_code: u32,
}

impl Default for CmppServerConfig {
    fn default() -> Self {
        Self { session: SessionConfig::default(), gateway_code: DEFAULT_GATEWAY_CODE }
    }
}

struct Shared {
    engine: Arc<Engine>,
    config: CmppServerConfig,
    leases: Arc<Leases>,
    ids: ids::MsgIds,
}

/// Serves client connections (over TLS when `tls` is given) until `shutdown` turns true; each
/// session then terminates.
pub async fn serve(
    listener: impl Into<hongyan_net::Listener>,
    engine: Arc<Engine>,
    config: CmppServerConfig,
    tls: Option<hongyan_net::ServerTls>,
    shutdown: watch::Receiver<bool>,
) {
    let ids = ids::MsgIds::new(config.gateway_code, engine.clock().now());
    let shared = Arc::new(Shared { engine, config, leases: Arc::default(), ids });
    let connection = move |stream, peer, stop| conn::run(shared.clone(), stream, peer, stop);
    crate::clients::accept_loop(listener.into(), tls, shutdown, "CMPP server", connection).await;
}
