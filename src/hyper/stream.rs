//! The connection `HttpsConnector` gives hyper: TLS, or plain TCP when
//! `allow_http` let an `http://` URI through.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::stream::{TlsConnectInfo, TlsStream};

/// A connection made by [`HttpsConnector`](super::HttpsConnector).
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per connection, never moved on the data path
pub enum MaybeHttpsStream {
    /// Plain TCP, for an `http://` URI (only with `allow_http`).
    Http(TokioIo<TcpStream>),
    /// TLS, for an `https://` URI, with what its handshake negotiated
    /// (`None` only if the socket could not tell its peer address).
    Https(TokioIo<TlsStream<TcpStream>>, Option<TlsConnectInfo>),
}

impl MaybeHttpsStream {
    /// The TLS stream, unless this is plain TCP.
    pub fn tls(&self) -> Option<&TlsStream<TcpStream>> {
        match self {
            MaybeHttpsStream::Http(_) => None,
            MaybeHttpsStream::Https(s, _) => Some(s.inner()),
        }
    }
}

impl Connection for MaybeHttpsStream {
    fn connected(&self) -> Connected {
        match self {
            MaybeHttpsStream::Http(s) => s.connected(),
            MaybeHttpsStream::Https(s, info) => {
                let tls = s.inner();
                let mut connected = tls.get_ref().connected();
                if let Some(info) = info {
                    connected = connected.extra(info.clone());
                }
                if tls.alpn_protocol() == Some(b"h2") {
                    connected = connected.negotiated_h2();
                }
                connected
            }
        }
    }
}

impl Read for MaybeHttpsStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeHttpsStream::Http(s) => Pin::new(s).poll_read(cx, buf),
            MaybeHttpsStream::Https(s, _) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl Write for MaybeHttpsStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            MaybeHttpsStream::Http(s) => Pin::new(s).poll_write(cx, buf),
            MaybeHttpsStream::Https(s, _) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeHttpsStream::Http(s) => Pin::new(s).poll_flush(cx),
            MaybeHttpsStream::Https(s, _) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeHttpsStream::Http(s) => Pin::new(s).poll_shutdown(cx),
            MaybeHttpsStream::Https(s, _) => Pin::new(s).poll_shutdown(cx),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            MaybeHttpsStream::Http(s) => s.is_write_vectored(),
            MaybeHttpsStream::Https(s, _) => s.is_write_vectored(),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            MaybeHttpsStream::Http(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            MaybeHttpsStream::Https(s, _) => Pin::new(s).poll_write_vectored(cx, bufs),
        }
    }
}
