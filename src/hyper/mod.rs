//! Feature `hyper`: an HTTPS connector for hyper-util's legacy `Client`.
//!
//! ```no_run
//! use http_body_util::Empty;
//! use hyper_util::client::legacy::Client;
//! use hyper_util::rt::TokioExecutor;
//! use lctls::hyper::HttpsConnector;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let https = HttpsConnector::with_platform_roots()?;
//! let client = Client::builder(TokioExecutor::new()).build::<_, Empty<bytes::Bytes>>(https);
//! let resp = client.get("https://example.com/".parse()?).await?;
//! println!("{} over {:?}", resp.status(), resp.version()); // 200 OK over HTTP/2
//! # Ok(()) }
//! ```
//!
//! What the connector does for each URI:
//! * refuses `http://` unless [`HttpsConnector::allow_http`] was called;
//! * resolves and connects with hyper-util's `HttpConnector` (port 443 when
//!   the URI names none, `TCP_NODELAY` on) within the connect timeout;
//! * verifies the server as the URI's host, a DNS name or an IP address
//!   (`https://[::1]:8443/` verifies `::1`), within the handshake timeout;
//! * offers ALPN `h2` and `http/1.1` unless the config sets ALPN itself, and
//!   tells hyper when the server picked `h2`, so the request goes over
//!   HTTP/2;
//! * puts a [`TlsConnectInfo`] (version, suite, ALPN, the server's chain) in
//!   every response's extensions.
//!
//! Errors reach the caller inside hyper's `client::legacy::Error`; walk
//! [`std::error::Error::source`] to find ours (a certificate that does not
//! name the host says so).

mod stream;

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use rustls_pki_types::ServerName;
use tower_service::Service;

use crate::config::ClientConfig;
use crate::pki::RootStore;
use crate::stream::{TlsConnectInfo, TlsConnector};

pub use stream::MaybeHttpsStream;

/// hyper's `Uri`, what the connector is called with.
pub use ::hyper::Uri;

/// The error a connection attempt fails with; hyper boxes connector errors
/// the same way.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Connect timeout unless [`HttpsConnector::with_connect_timeout`] says otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The ALPN protocols offered when the config sets none.
const DEFAULT_ALPN: &[&[u8]] = &[b"h2", b"http/1.1"];

/// A tower `Service<Uri>` that opens TLS connections for
/// `hyper_util::client::legacy::Client`; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct HttpsConnector {
    http: HttpConnector,
    tls: TlsConnector,
    allow_http: bool,
    connect_timeout: Option<Duration>,
}

impl HttpsConnector {
    /// A connector using `config` (its roots, client certificate, versions
    /// and so on); when `config` sets no ALPN protocols, `h2` and
    /// `http/1.1` are offered. To speak only HTTP/1.1, build the config with
    /// `with_alpn_protocols(&["http/1.1"])`.
    pub fn new(config: Arc<ClientConfig>) -> Self {
        let config = ClientConfig::with_alpn_if_unset(&config, DEFAULT_ALPN);
        let mut http = HttpConnector::new();
        // We check the scheme ourselves, and hand https URIs to it for TCP.
        http.enforce_http(false);
        // TLS handshakes are small request-response exchanges: Nagle's
        // algorithm would hold a flight back for an ACK.
        http.set_nodelay(true);
        http.set_connect_timeout(Some(DEFAULT_CONNECT_TIMEOUT));
        HttpsConnector {
            http,
            tls: TlsConnector::from(config),
            allow_http: false,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
        }
    }

    /// A connector trusting the operating system's roots
    /// ([`RootStore::platform`]), with the default config otherwise.
    pub fn with_platform_roots() -> Result<Self, crate::Error> {
        let roots = RootStore::platform()?;
        let config = ClientConfig::builder()
            .with_root_store(Arc::new(roots))
            .build()?;
        Ok(Self::new(Arc::new(config)))
    }

    /// Also connects `http://` URIs, in plain TCP without TLS. By default
    /// they are refused, so a mistyped or downgraded URL cannot send a
    /// request in the clear; `https://` URIs are verified the same either way.
    pub fn allow_http(mut self) -> Self {
        self.allow_http = true;
        self
    }

    /// Bounds name resolution plus the TCP connect (default 10 s;
    /// `None`: unbounded). When a name resolves to several addresses,
    /// each attempt gets its share of it.
    pub fn with_connect_timeout(mut self, limit: Option<Duration>) -> Self {
        self.connect_timeout = limit;
        self.http.set_connect_timeout(limit);
        self
    }

    /// Bounds the TLS handshake (default 10 s, as [`TlsConnector`]'s).
    pub fn with_handshake_timeout(mut self, limit: Duration) -> Self {
        self.tls = self.tls.with_handshake_timeout(limit);
        self
    }

    /// The TLS connector (its config has the ALPN protocols offered).
    pub fn tls_connector(&self) -> &TlsConnector {
        &self.tls
    }
}

impl Service<Uri> for HttpsConnector {
    type Response = MaybeHttpsStream;
    type Error = BoxError;
    type Future = HttpsConnecting;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") if self.allow_http => false,
            other => {
                let e = refused_scheme(other, self.allow_http);
                return HttpsConnecting(Box::pin(async move { Err(e.into()) }));
            }
        };
        let name = if https {
            match server_name(&uri) {
                Ok(n) => Some(n),
                Err(e) => return HttpsConnecting(Box::pin(async move { Err(e.into()) })),
            }
        } else {
            None
        };
        let tcp = self.http.call(uri.clone());
        let tls = self.tls.clone();
        let limit = self.connect_timeout;
        HttpsConnecting(Box::pin(async move {
            let tcp = match limit {
                Some(limit) => tokio::time::timeout(limit, tcp).await.map_err(|_| {
                    io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("connecting to {uri} timed out after {limit:?}"),
                    )
                })?,
                None => tcp.await,
            }?;
            let Some(name) = name else {
                return Ok(MaybeHttpsStream::Http(tcp));
            };
            let tcp = tcp.into_inner();
            let peer = tcp.peer_addr().ok();
            let tls = match peer {
                Some(peer) => tls.connect_to(name, tcp, peer).await?,
                None => tls.connect(name, tcp).await?,
            };
            let info = peer.map(|peer| TlsConnectInfo::new(&tls, peer));
            Ok(MaybeHttpsStream::Https(TokioIo::new(tls), info))
        }))
    }
}

/// The future [`HttpsConnector`] returns.
pub struct HttpsConnecting(
    Pin<Box<dyn Future<Output = Result<MaybeHttpsStream, BoxError>> + Send>>,
);

impl Future for HttpsConnecting {
    type Output = Result<MaybeHttpsStream, BoxError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}

impl std::fmt::Debug for HttpsConnecting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HttpsConnecting")
    }
}

fn refused_scheme(scheme: Option<&str>, allow_http: bool) -> io::Error {
    let msg = match scheme {
        Some("http") if !allow_http => {
            "refusing an http:// URI: HttpsConnector connects over TLS only \
             (HttpsConnector::allow_http permits plain HTTP)"
                .to_string()
        }
        Some(s) => format!("unsupported URI scheme {s:?}: expected https"),
        None => "URI has no scheme: expected https://host/...".to_string(),
    };
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// The name to verify the server as: the URI's host, an IP address (IPv6
/// without its brackets) or a DNS name.
fn server_name(uri: &Uri) -> io::Result<ServerName<'static>> {
    let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
    let host = uri
        .host()
        .ok_or_else(|| invalid(format!("URI {uri} has no host")))?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(ServerName::IpAddress(ip.into()));
    }
    ServerName::try_from(host.to_string())
        .map_err(|_| invalid(format!("URI host {host:?} is not a DNS name or IP address")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(uri: &str) -> String {
        match server_name(&uri.parse().unwrap()).unwrap() {
            ServerName::DnsName(d) => format!("dns:{}", d.as_ref()),
            ServerName::IpAddress(ip) => format!("ip:{:?}", std::net::IpAddr::from(ip)),
            _ => unreachable!(),
        }
    }

    #[test]
    fn server_name_from_uri_host() {
        assert_eq!(name("https://localhost:8443/x"), "dns:localhost");
        assert_eq!(name("https://Example.COM/"), "dns:Example.COM");
        assert_eq!(name("https://127.0.0.1/"), "ip:127.0.0.1");
        assert_eq!(name("https://[::1]:8443/"), "ip:::1");
        assert!(server_name(&"/relative".parse().unwrap()).is_err());
    }
}
