//! Our own TLS echo server, as the interop tests run it against s_client
//! and gnutls-cli.

use std::io;
use std::sync::Arc;

use lctls::proto::enums::{CipherSuite, NamedGroup};
use lctls::{ServerConfig, TlsAcceptor, TlsStream};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Echoes what the peer sends until its close_notify (a read of 0 bytes);
/// returns the bytes echoed.
pub async fn echo_until_close<IO: AsyncRead + AsyncWrite + Unpin>(
    tls: &mut TlsStream<IO>,
) -> io::Result<Vec<u8>> {
    let mut echoed = Vec::new();
    let mut buf = vec![0u8; 4096];
    loop {
        let n = tls.read(&mut buf).await?;
        if n == 0 {
            return Ok(echoed);
        }
        echoed.extend_from_slice(&buf[..n]);
        tls.write_all(&buf[..n]).await?;
        tls.flush().await?;
    }
}

/// Our echo server for `n` sequential connections on a fresh loopback
/// port: each is accepted with `config`, echoed until the client's
/// close_notify and answered with ours (best effort: s_client may already
/// be gone); `record` turns the stream and the bytes it echoed into what
/// the test checks. The first error ends the task.
pub async fn echo_server<T: Send + 'static>(
    config: Arc<ServerConfig>,
    n: usize,
    record: fn(&TlsStream<TcpStream>, Vec<u8>) -> T,
) -> (u16, JoinHandle<io::Result<Vec<T>>>) {
    serve_echo(config, n, record, false).await
}

/// [`echo_server`] for one connection whose close_notify must go out: for
/// peers that wait for it (gnutls-cli), a failed shutdown is the task's
/// error.
pub async fn echo_server_once_strict<T: Send + 'static>(
    config: Arc<ServerConfig>,
    record: fn(&TlsStream<TcpStream>, Vec<u8>) -> T,
) -> (u16, JoinHandle<io::Result<T>>) {
    let (port, task) = serve_echo(config, 1, record, true).await;
    (port, one_of(task))
}

/// [`echo_server`] for one connection, with its one record.
pub async fn echo_server_once<T: Send + 'static>(
    config: Arc<ServerConfig>,
    record: fn(&TlsStream<TcpStream>, Vec<u8>) -> T,
) -> (u16, JoinHandle<io::Result<T>>) {
    let (port, task) = serve_echo(config, 1, record, false).await;
    (port, one_of(task))
}

fn one_of<T: Send + 'static>(task: JoinHandle<io::Result<Vec<T>>>) -> JoinHandle<io::Result<T>> {
    tokio::spawn(async move { task.await.expect("join").map(|mut v| v.remove(0)) })
}

/// What a TLS 1.3 interop test checks of a connection our echo server
/// served: the negotiated suite and group, whether it took a
/// HelloRetryRequest, and what was echoed.
#[derive(Debug)]
pub struct Served {
    pub suite: Option<CipherSuite>,
    pub group: Option<NamedGroup>,
    pub retried: bool,
    pub echoed: Vec<u8>,
}

/// A `record` for [`echo_server`]: the connection's [`Served`].
pub fn served(tls: &TlsStream<TcpStream>, echoed: Vec<u8>) -> Served {
    Served {
        suite: tls.cipher_suite(),
        group: tls.key_exchange_group(),
        retried: tls.negotiated().retried,
        echoed,
    }
}

async fn serve_echo<T: Send + 'static>(
    config: Arc<ServerConfig>,
    n: usize,
    record: fn(&TlsStream<TcpStream>, Vec<u8>) -> T,
    strict_shutdown: bool,
) -> (u16, JoinHandle<io::Result<Vec<T>>>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let port = listener.local_addr().expect("local addr").port();
    let task = tokio::spawn(async move {
        let mut all = Vec::with_capacity(n);
        for _ in 0..n {
            let (tcp, _) = listener.accept().await?;
            let mut tls = TlsAcceptor::from(config.clone()).accept(tcp).await?;
            let echoed = echo_until_close(&mut tls).await?;
            let shut = tls.shutdown().await;
            if strict_shutdown {
                shut?;
            }
            all.push(record(&tls, echoed));
        }
        Ok(all)
    });
    (port, task)
}
