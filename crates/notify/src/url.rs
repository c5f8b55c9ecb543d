//! The callback URLs the pusher can reach: `http[s]://host[:port][/path][?query]`.

use std::fmt;

/// A parsed callback URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackUrl {
    /// Host name or address, as written (brackets kept for IPv6).
    pub host: String,
    /// Port (80 when not written).
    pub port: u16,
    /// Path and query, starting with `/`.
    pub target: String,
    /// `https://`: the POST goes over TLS, the certificate checked against `host`.
    pub tls: bool,
}

/// Why a URL cannot be a callback.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Neither `http://` nor `https://`.
    #[error("a callback URL starts with http:// or https://")]
    Scheme,
    /// No host, a bad port, or characters that have no place in a URL.
    #[error("`{0}` is not a valid http URL")]
    Malformed(String),
}

impl CallbackUrl {
    /// Parses and checks a URL.
    pub fn parse(s: &str) -> Result<Self, UrlError> {
        let (rest, tls) = match (s.strip_prefix("http://"), s.strip_prefix("https://")) {
            (Some(rest), _) => (rest, false),
            (_, Some(rest)) => (rest, true),
            _ => return Err(UrlError::Scheme),
        };
        let bad = || UrlError::Malformed(s.to_owned());
        if s.len() > 2000 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (authority, target) = match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_owned()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, "/".to_owned()),
        };
        if authority.contains('@') {
            return Err(bad());
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !p.contains(']') => (h, p.parse::<u16>().map_err(|_| bad())?),
            _ => (authority, if tls { 443 } else { 80 }),
        };
        if host.is_empty() || port == 0 {
            return Err(bad());
        }
        Ok(Self { host: host.to_owned(), port, target, tls })
    }

    /// `host:port`, what a TCP connect takes.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

impl fmt::Display for CallbackUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "https" } else { "http" };
        write!(f, "{scheme}://{}:{}{}", self.host, self.port, self.target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_taken_apart() {
        let u = CallbackUrl::parse("http://tax.example:8080/sms/reports?src=hy").unwrap();
        assert_eq!((u.host.as_str(), u.port, u.target.as_str()), ("tax.example", 8080, "/sms/reports?src=hy"));
        let u = CallbackUrl::parse("http://10.1.2.3").unwrap();
        assert_eq!((u.address().as_str(), u.target.as_str()), ("10.1.2.3:80", "/"));
        let u = CallbackUrl::parse("http://[::1]:9000?x=1").unwrap();
        assert_eq!((u.address().as_str(), u.target.as_str()), ("[::1]:9000", "/?x=1"));
        let u = CallbackUrl::parse("https://callback.tax.example/sms").unwrap();
        assert_eq!((u.address().as_str(), u.tls), ("callback.tax.example:443", true));
        assert_eq!(u.to_string(), "https://callback.tax.example:443/sms");
        assert!(!CallbackUrl::parse("http://a").unwrap().tls);
    }

    #[test]
    fn bad_urls_are_refused_with_a_reason() {
        assert_eq!(CallbackUrl::parse("ftp://a"), Err(UrlError::Scheme));
        assert_eq!(CallbackUrl::parse("HTTPS://a"), Err(UrlError::Scheme));
        for bad in ["http://", "http://:80/", "http://a:99999/", "http://a:0/", "http://u:p@a/", "http://a/ b"] {
            assert!(matches!(CallbackUrl::parse(bad), Err(UrlError::Malformed(_))), "{bad}");
        }
    }
}
