//! One signed POST over a fresh HTTP/1.1 connection. A connection per batch keeps the code
//! small and a broken receiver from poisoning a pool; batches are what keep it cheap.

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::sign::{signature, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::CallbackUrl;

/// Why a POST did not count as delivered.
#[derive(Debug, thiserror::Error)]
pub enum PostError {
    /// Could not connect, or the exchange broke.
    #[error("{0}")]
    Transport(String),
    /// No answer in time.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The receiver answered, but not 2xx.
    #[error("HTTP {0}")]
    Status(u16),
}

/// POSTs `body` to `url`, signed with `secret` at `unix_seconds`.
pub(crate) async fn post(
    url: &CallbackUrl,
    secret: &str,
    unix_seconds: i64,
    body: Vec<u8>,
    timeout: Duration,
) -> Result<(), PostError> {
    match tokio::time::timeout(timeout, exchange(url, secret, unix_seconds, body)).await {
        Ok(r) => r,
        Err(_) => Err(PostError::Timeout(timeout)),
    }
}

async fn exchange(url: &CallbackUrl, secret: &str, unix_seconds: i64, body: Vec<u8>) -> Result<(), PostError> {
    let transport = |e: &dyn std::fmt::Display| PostError::Transport(e.to_string());
    let stream = TcpStream::connect(url.address()).await.map_err(|e| transport(&e))?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| transport(&e))?;
    let driver = tokio::spawn(conn);
    let request = hyper::Request::post(url.target.as_str())
        .header("host", url.host.as_str())
        .header("content-type", "application/json; charset=utf-8")
        .header("user-agent", concat!("hongyan/", env!("CARGO_PKG_VERSION")))
        .header(TIMESTAMP_HEADER, unix_seconds.to_string())
        .header(SIGNATURE_HEADER, signature(secret, unix_seconds, &body))
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| transport(&e))?;
    let response = sender.send_request(request).await.map_err(|e| transport(&e));
    let outcome = match response {
        Ok(resp) => {
            let status = resp.status();
            // Read the answer to its end so the receiver is not cut off mid-write.
            let _ = resp.into_body().collect().await;
            if status.is_success() {
                Ok(())
            } else {
                Err(PostError::Status(status.as_u16()))
            }
        }
        Err(e) => Err(e),
    };
    driver.abort();
    outcome
}
