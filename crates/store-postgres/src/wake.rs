//! Wake-ups between nodes: a node that gives messages back to the cluster says so
//! (`NOTIFY hongyan_released`), and the nodes that hold connections take them at once instead
//! of at their next look.
//!
//! `LISTEN` needs a connection of its own, held for as long as the node lives and driven by
//! hand (its notifications arrive between the messages of the protocol, not as answers), so it
//! is not taken from the pool. A lost connection is made again after a pause; a wake-up missed
//! meanwhile only costs the periodic look's delay.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_postgres::{AsyncMessage, NoTls};

use crate::store::PgStore;

/// The notification channel of given-back work.
pub(crate) const RELEASED: &str = "hongyan_released";

impl PgStore {
    /// Notified whenever a node gives messages back to the cluster. Listens from a
    /// connection of its own, made again when it is lost, for as long as the process runs.
    pub fn released_wakeups(&self) -> Arc<Notify> {
        let wake = Arc::new(Notify::new());
        let (address, woken) = (Arc::clone(&self.address), Arc::clone(&wake));
        tokio::spawn(async move {
            loop {
                if let Err(e) = listen(&address, &woken).await {
                    tracing::debug!(error = %e, "the wake-up connection ended; making it again");
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        });
        wake
    }
}

/// One listening connection, until it ends.
async fn listen(address: &(String, Option<String>), wake: &Notify) -> Result<(), tokio_postgres::Error> {
    let mut config: tokio_postgres::Config = match address.0.parse() {
        Ok(c) => c,
        Err(_) => return Ok(()),
    };
    if let Some(schema) = &address.1 {
        config.options(format!("-c search_path={schema}"));
    }
    let (client, mut connection) = config.connect(NoTls).await?;
    let statement = format!("LISTEN {RELEASED}");
    let listening = client.batch_execute(&statement);
    // The connection must be driven while the LISTEN is sent, and after it for the notifications.
    let mut listening = std::pin::pin!(listening);
    let mut listened = false;
    loop {
        tokio::select! {
            done = &mut listening, if !listened => {
                done?;
                listened = true;
            }
            message = std::future::poll_fn(|cx| connection.poll_message(cx)) => match message {
                Some(Ok(AsyncMessage::Notification(_))) => wake.notify_waiters(),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            },
        }
    }
}
