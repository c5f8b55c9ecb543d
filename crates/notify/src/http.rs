//! One signed POST over a fresh HTTP/1.1 connection, in TLS for `https://`. A connection per
//! batch keeps the code small and a broken receiver from poisoning a pool; batches are what
//! keep it cheap.

use std::time::Duration;

use hongyan_net::Trust;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
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
    trust: &Trust,
    (secret, unix_seconds): (&str, i64),
    body: Vec<u8>,
    timeout: Duration,
) -> Result<(), PostError> {
    match tokio::time::timeout(timeout, connect(url, trust, secret, unix_seconds, body)).await {
        Ok(r) => r,
        Err(_) => Err(PostError::Timeout(timeout)),
    }
}

fn transport(e: &dyn std::fmt::Display) -> PostError {
    PostError::Transport(e.to_string())
}

async fn connect(
    url: &CallbackUrl,
    trust: &Trust,
    secret: &str,
    unix_seconds: i64,
    body: Vec<u8>,
) -> Result<(), PostError> {
    let stream = TcpStream::connect(url.address()).await.map_err(|e| transport(&e))?;
    if !url.tls {
        return exchange(stream, url, secret, unix_seconds, body).await;
    }
    // The name the certificate must carry: the host as written, an address without brackets.
    let host = url.host.trim_start_matches('[').trim_end_matches(']').to_owned();
    let name = ServerName::try_from(host).map_err(|e| transport(&e))?;
    let tls = trust.connector().connect(name, stream).await.map_err(|e| transport(&e))?;
    exchange(tls, url, secret, unix_seconds, body).await
}

async fn exchange<S>(
    stream: S,
    url: &CallbackUrl,
    secret: &str,
    unix_seconds: i64,
    body: Vec<u8>,
) -> Result<(), PostError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_that_cannot_be_used_is_named_with_the_reason() {
        let dir = std::env::temp_dir().join(format!("hongyan-trust-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = Trust::with_ca_files(std::slice::from_ref(&empty)).unwrap_err().to_string();
        assert!(err.contains("empty.pem") && err.contains("no certificate"), "{err}");
        let missing = dir.join("missing.pem");
        let err = Trust::with_ca_files(&[missing]).unwrap_err().to_string();
        assert!(err.contains("missing.pem"), "{err}");
        assert!(Trust::with_ca_files(&[]).is_ok(), "the public roots alone");
        std::fs::remove_dir_all(&dir).ok();
    }
}
