//! Feature `axum`: `TlsListener` as an `axum::serve::Listener`, and
//! `TlsConnectInfo` as axum connection info.

use std::io;
use std::net::SocketAddr;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::net::TcpStream;

use crate::listener::TlsListener;
use crate::stream::{TlsConnectInfo, TlsStream};

/// `axum::serve(listener, app)` serves HTTPS; handshakes run as
/// [`TlsListener`] describes.
impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        TlsListener::accept(self).await
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        TlsListener::local_addr(self)
    }
}

/// For `Router::into_make_service_with_connect_info::<TlsConnectInfo>()`:
/// handlers extract `ConnectInfo<TlsConnectInfo>` to see the peer's address,
/// certificates (mTLS), ALPN and SNI.
impl Connected<IncomingStream<'_, TlsListener>> for TlsConnectInfo {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Self {
        TlsConnectInfo::new(stream.io(), *stream.remote_addr())
    }
}
