//! The glue between tonic and lctls, both ways: copy this file into a
//! service to run gRPC over lctls with mutual TLS.
//!
//! - Server: [`incoming`] turns a `TcpListener` and a [`TlsAcceptor`] into
//!   the stream of connections `Server::serve_with_incoming` takes, each a
//!   [`GrpcTlsStream`] whose [`PeerIdentity`] (client certificate chain,
//!   subject, address) tonic puts in every request's extensions.
//! - Client: [`connector`] is the tower service
//!   `Endpoint::connect_with_connector` calls: it dials TCP to the URI's
//!   host and port and runs the TLS handshake, verifying the server against
//!   that host.
//!
//! Both configs must offer ALPN `h2`: gRPC is HTTP/2 only, and servers in
//! other languages refuse a TLS client that does not say so.

#![allow(dead_code)] // each user (example, test) takes what it needs

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper_util::rt::TokioIo;
use lctls::{TlsAcceptor, TlsConnector, TlsStream};
use rustls_pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::Connected;
use tonic::transport::Uri;
use x509_cert::der::Decode;

/// Handshaken connections waiting for tonic to take them; past this the
/// accept loop waits, so a slow server applies back-pressure to the
/// listener instead of buffering connections without bound.
const QUEUE: usize = 64;

/// What the server knows about the client of a connection: tonic hands it
/// to handlers and interceptors in `request.extensions()`.
#[derive(Clone, Debug)]
pub struct PeerIdentity {
    /// The client's TCP address.
    pub remote_addr: Option<SocketAddr>,
    /// The certificate chain the client presented, leaf first, verified by
    /// the acceptor's client verifier (empty if it sent none and the
    /// verifier allows that).
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's subject as an RFC 4514 string (`CN=…,O=…`), if any.
    pub subject: Option<String>,
}

/// A server-side TLS connection as tonic wants it: `AsyncRead + AsyncWrite`
/// and [`Connected`], which reports the [`PeerIdentity`].
#[derive(Debug)]
pub struct GrpcTlsStream(pub TlsStream<TcpStream>);

impl Connected for GrpcTlsStream {
    type ConnectInfo = PeerIdentity;

    fn connect_info(&self) -> PeerIdentity {
        let chain = self.0.peer_certificates().to_vec();
        PeerIdentity {
            remote_addr: self.0.get_ref().peer_addr().ok(),
            subject: chain.first().and_then(|leaf| subject_of(leaf)),
            chain,
        }
    }
}

/// The RFC 4514 subject of a DER certificate.
pub fn subject_of(der: &CertificateDer<'_>) -> Option<String> {
    let cert = x509_cert::Certificate::from_der(der.as_ref()).ok()?;
    Some(cert.tbs_certificate.subject.to_string())
}

impl AsyncRead for GrpcTlsStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for GrpcTlsStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// A failed handshake: who, and what the acceptor said.
#[derive(Debug)]
pub struct HandshakeFailure {
    /// The client's address.
    pub peer: SocketAddr,
    /// The error, whose `lctls::Error::from_io` names the alert sent.
    pub error: io::Error,
}

/// Accepts on `listener` and hands tonic each connection whose handshake
/// succeeded. Handshakes run concurrently, one task each, under the
/// acceptor's handshake timeout, so a slow or silent client delays nobody.
/// A failed handshake never ends the stream: it is logged and, if
/// `failures` is given, reported there (dropped when that queue is full).
pub fn incoming(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    failures: Option<mpsc::Sender<HandshakeFailure>>,
) -> ReceiverStream<io::Result<GrpcTlsStream>> {
    let (tx, rx) = mpsc::channel(QUEUE);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                () = tx.closed() => return, // the server stopped
            };
            let (tcp, peer) = match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            };
            let (ready, acceptor, failures) = (tx.clone(), acceptor.clone(), failures.clone());
            tokio::spawn(async move {
                match acceptor.accept_from(tcp, peer).await {
                    Ok(tls) => {
                        let _ = ready.send(Ok(GrpcTlsStream(tls))).await;
                    }
                    Err(error) => {
                        tracing::info!(%peer, error = %error, "TLS handshake failed");
                        if let Some(f) = failures {
                            let _ = f.try_send(HandshakeFailure { peer, error });
                        }
                    }
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

/// The client side: a tower service from a URI to a TLS connection, for
/// `Endpoint::connect_with_connector`. The URI's host is both where to dial
/// and the name the server's certificate must match (and the SNI). The
/// connection must negotiate ALPN `h2`, else it is refused.
pub fn connector(
    tls: TlsConnector,
) -> impl tower::Service<
    Uri,
    Response = TokioIo<TlsStream<TcpStream>>,
    Error = io::Error,
    Future = impl Future<Output = io::Result<TokioIo<TlsStream<TcpStream>>>> + Send,
> + Clone
       + Send
       + 'static {
    tower::service_fn(move |uri: Uri| {
        let tls = tls.clone();
        async move {
            let host = uri
                .host()
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "URI has no host"))?;
            // An IPv6 literal comes bracketed in a URI.
            let host = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string();
            let port = uri.port_u16().unwrap_or(443);
            let tcp = TcpStream::connect((host.as_str(), port)).await?;
            let peer = tcp.peer_addr()?;
            let stream = tls.connect_to(host, tcp, peer).await?;
            if stream.alpn_protocol() != Some(b"h2".as_slice()) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the server did not select ALPN h2, which gRPC needs",
                ));
            }
            Ok(TokioIo::new(stream))
        }
    })
}
