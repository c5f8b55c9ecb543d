//! TLS set-ups, made once at start: whom a client trusts (the one set-up every outgoing TLS
//! connection of Hongyan uses — carrier links, callbacks, alert mail), and a listener's
//! certificate (the API, the SMPP and CMPP servers).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{ClientConfig, RootCertStore, ServerConfig};
use tokio_rustls::{TlsAcceptor, TlsConnector};

/// Whom servers must prove they are: Mozilla's root certificates, and the CAs of any PEM file
/// added (a private CA of a carrier's or a bureau's network). Cheap to clone.
#[derive(Clone)]
pub struct Trust(Arc<ClientConfig>);

/// Why a CA file could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {why}")]
pub struct TrustError {
    path: String,
    why: String,
}

impl Trust {
    /// Mozilla's roots and the certificates in each PEM file of `ca_files`.
    pub fn with_ca_files(ca_files: &[PathBuf]) -> Result<Self, TrustError> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for path in ca_files {
            let fail = |why: String| TrustError { path: path.display().to_string(), why };
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .map_err(|e| fail(e.to_string()))?
                .collect::<Result<_, _>>()
                .map_err(|e| fail(e.to_string()))?;
            if certs.is_empty() {
                return Err(fail("no certificate in it".into()));
            }
            for cert in certs {
                roots.add(cert).map_err(|e| fail(e.to_string()))?;
            }
        }
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TrustError { path: String::new(), why: e.to_string() })?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Self(Arc::new(config)))
    }

    /// The TLS client set-up, for clients that drive the handshake themselves.
    pub fn connector(&self) -> TlsConnector {
        TlsConnector::from(self.0.clone())
    }
}

impl Default for Trust {
    /// Mozilla's roots alone.
    fn default() -> Self {
        Self::with_ca_files(&[]).expect("the built-in roots make a configuration")
    }
}

impl std::fmt::Debug for Trust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Trust(..)")
    }
}

/// A listener's side of TLS: its certificate chain and key, loaded once at start. Cheap to
/// clone; every listener of the process that speaks TLS shares one.
#[derive(Clone)]
pub struct ServerTls(pub(crate) TlsAcceptor);

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerTls(..)")
    }
}

impl ServerTls {
    /// The certificate chain and its key, both PEM files. A bad file is named in the error, so
    /// a start with it stops saying which.
    pub fn load(cert: &Path, key: &Path) -> Result<Self, TrustError> {
        acceptor(cert, key).map(Self)
    }
}

fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TrustError> {
    let fail = |path: &Path, why: String| TrustError { path: path.display().to_string(), why };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| fail(cert, format!("reading the certificate: {e}")))?
        .collect::<Result<_, _>>()
        .map_err(|e| fail(cert, format!("reading the certificate: {e}")))?;
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| fail(key, format!("reading the private key: {e}")))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| fail(cert, e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, private)
        .map_err(|e| fail(key, format!("the certificate and key do not form a usable pair: {e}")))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
