//! The Tokio adapter: connector, acceptor (and the ClientHello-first
//! [`server::LazyAcceptor`]), handshake futures, `TlsStream` and its
//! full-duplex halves ([`TlsStream::into_split`]).
//! It owns the IO and the buffers' trips to and from it; all protocol
//! decisions stay in [`crate::proto::Connection`].

mod acceptor;
mod connector;
mod deadline;
mod handshake;
mod info;
mod lazy;
mod paths;
mod split;
mod tls_stream;

pub use acceptor::{Accept, TlsAcceptor};
pub use connector::{Connect, TlsConnector};
pub use info::TlsConnectInfo;
pub use split::{ReadHalf, ReuniteError, ReuniteIo, WriteHalf};
pub use tls_stream::TlsStream;

/// Client-side stream type.
pub mod client {
    /// A TLS stream on the client side.
    pub type TlsStream<IO> = super::TlsStream<IO>;
}

/// Server-side types: the stream, and the ClientHello-first acceptor.
pub mod server {
    pub use super::lazy::{
        ClientHello, FallibleAccept, LazyAcceptor, StartHandshake, MAX_BYTES_BEFORE_HELLO,
    };

    /// A TLS stream on the server side.
    pub type TlsStream<IO> = super::TlsStream<IO>;
}
