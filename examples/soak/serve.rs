//! The server side, run as a child process (`soak --serve`) so that each
//! process holds one end of every connection: 10,000 connections then need
//! about 10,000 descriptors per process instead of 20,000 in one.
//!
//! It prints `listening PLAIN_ADDR MTLS_ADDR` on stdout, then answers each
//! `stats` line on stdin with one `stats key=value ...` line, and exits on
//! `quit` or at the end of stdin. Unexpected errors are also described on
//! stderr (the first few).

use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use lctls::{TlsAcceptor, TlsStream};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::duplex::{duplex, recv_all, recv_header, stall, DuplexError};
use crate::kind::{acceptors, tcp_socket, Kind, ACK, SERVER_KEY_UPDATE_EVERY};
use crate::payload::{io_label, Header, Prng, Receiver, RecvError, Sender};
use crate::tally::Tally;

/// Pending connections the kernel may queue per listener: a ramp of a few
/// hundred concurrent connects overflows tokio's default of 1024 only in
/// bursts, but a refused SYN costs a one-second retransmit.
const BACKLOG: u32 = 4096;
/// A client that connects and stalls must not hold a server task forever.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(60);

/// Shared by every connection of the server process.
struct Server {
    tally: Tally,
    max_bytes: u64,
    seed: u64,
    next: AtomicU64,
}

impl Server {
    /// A payload header for the next connection, echoing the client's kind.
    fn header(&self, kind: u8) -> Header {
        let n = self.next.fetch_add(1, Relaxed);
        let seed = Prng::new(self.seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15)).next_u64();
        let len = Prng::new(!seed).below_or_eq(self.max_bytes);
        Header { kind, seed, len }
    }
}

fn listen(sock_buf: u32) -> io::Result<TcpListener> {
    let socket = tcp_socket(sock_buf)?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
    socket.listen(BACKLOG)
}

/// Runs the server until stdin says `quit` or closes.
pub async fn serve(max_bytes: u64, seed: u64, sock_buf: u32) -> io::Result<()> {
    let (plain, mtls) = acceptors()?;
    let server = Arc::new(Server {
        tally: Tally::default(),
        max_bytes,
        seed,
        next: AtomicU64::new(0),
    });
    let (l_plain, l_mtls) = (listen(sock_buf)?, listen(sock_buf)?);
    println!(
        "listening {} {}",
        l_plain.local_addr()?,
        l_mtls.local_addr()?
    );
    io::stdout().flush()?;
    let loops = [
        tokio::spawn(accept_loop(l_plain, plain, false, server.clone())),
        tokio::spawn(accept_loop(l_mtls, mtls, true, server.clone())),
    ];
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        match line.trim() {
            "stats" => {
                let mut out = io::stdout().lock();
                writeln!(out, "stats {}", server.tally.snapshot().to_line())?;
                out.flush()?;
            }
            "fds" => {
                for line in crate::tally::describe_fds() {
                    eprintln!("soak server: {line}");
                }
            }
            "quit" => break,
            _ => {}
        }
    }
    for l in loops {
        l.abort();
    }
    Ok(())
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    mtls: bool,
    server: Arc<Server>,
) {
    let acceptor = acceptor.with_handshake_timeout(HANDSHAKE_TIMEOUT);
    loop {
        match listener.accept().await {
            Ok((tcp, _)) => {
                tokio::spawn(handle(acceptor.clone(), tcp, mtls, server.clone()));
            }
            Err(e) => {
                // EMFILE and friends: say so, and do not spin.
                server.tally.unexpected(
                    &format!("server_accept_{:?}", e.kind()),
                    format!("accept: {e}"),
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// Records an unexpected error and describes it on stderr.
fn fail(t: &Tally, label: &str, what: String) {
    if t.messages().len() < 10 {
        eprintln!("soak server: {label}: {what}");
    }
    t.unexpected(label, what);
}

async fn handle(acceptor: TlsAcceptor, tcp: TcpStream, mtls: bool, server: Arc<Server>) {
    let t = &server.tally;
    let _ = tcp.set_nodelay(true);
    let mut tls = match acceptor.accept(tcp).await {
        Ok(tls) => tls,
        Err(e) => {
            return fail(
                t,
                &format!("server_handshake_{}", io_label(&e)),
                format!("handshake: {e}"),
            );
        }
    };
    Tally::add(&t.handshakes, 1);
    if tls.negotiated().resumed {
        Tally::add(&t.resumed, 1);
    }
    let _open = t.opened();
    let mut rx = Receiver::new();
    let header = match recv_header(&mut tls, &mut rx).await {
        Ok(h) => h,
        Err(e) => {
            return fail(
                t,
                &format!("server_header_{}", e.label()),
                format!("header: {e}"),
            )
        }
    };
    let Some(kind) = Kind::from_code(header.kind) else {
        return fail(t, "server_bad_kind", format!("kind {}", header.kind));
    };
    if tls.protocol_version() != Some(kind.version()) {
        let v = tls.protocol_version();
        fail(
            t,
            "server_wrong_version",
            format!("{kind:?} negotiated {v:?}"),
        );
    }
    if kind.mtls() != mtls {
        fail(
            t,
            "server_wrong_listener",
            format!("{kind:?} on mtls={mtls}"),
        );
    }
    if mtls && tls.peer_certificates().is_empty() {
        fail(
            t,
            "server_mtls_no_client_cert",
            format!("{kind:?}: no peer certificates"),
        );
    }
    if kind.aborts() {
        return aborted(t, &mut tls, &mut rx).await;
    }
    let mut tx = Sender::new(server.header(header.kind));
    if kind == Kind::KeyUpdate13 {
        tx = tx.key_update_every(SERVER_KEY_UPDATE_EVERY, false);
    }
    let r = duplex(&mut tls, &mut tx, &mut rx).await;
    Tally::add(&t.key_updates, tx.key_updates);
    match r {
        Ok(()) => {
            Tally::add(&t.bytes_in, rx.got());
            Tally::add(&t.bytes_out, tx.sent());
            Tally::add(&t.messages_ok, 1);
        }
        Err(DuplexError::Send(e)) => fail(
            t,
            &format!("server_send_{}", io_label(&e)),
            format!("{kind:?} send: {e}"),
        ),
        Err(DuplexError::Recv(e)) => fail(
            t,
            &format!("server_recv_{}", e.label()),
            format!("{kind:?} receive: {e}"),
        ),
        Err(DuplexError::Stalled(state)) => {
            fail(t, "server_stalled", format!("{kind:?} stalled: {state}"))
        }
    }
}

/// An aborting client: acknowledge its header, then read until the TCP
/// stream ends, which must be reported as truncation (no close_notify) after
/// a verified prefix of the payload.
async fn aborted(t: &Tally, tls: &mut TlsStream<TcpStream>, rx: &mut Receiver) {
    if let Err(e) = async {
        tls.write_all(&[ACK]).await?;
        tls.flush().await
    }
    .await
    {
        return fail(
            t,
            &format!("server_ack_{}", io_label(&e)),
            format!("ack: {e}"),
        );
    }
    let r = match tokio::time::timeout(5 * stall(), recv_all(tls, rx)).await {
        Ok(r) => r,
        Err(_) => {
            let state = format!(
                "{}; {} ciphertext bytes unsent",
                rx.describe(),
                tls.connection().outgoing_len()
            );
            return fail(t, "server_abort_stalled", state);
        }
    };
    match r {
        Err(RecvError::Io(e))
            if matches!(lctls::Error::from_io(&e), Some(lctls::Error::Truncated)) =>
        {
            t.expected("server_truncated_after_abort");
            Tally::add(&t.abort_bytes, rx.got());
        }
        Err(e) => fail(
            t,
            &format!("server_abort_{}", e.label()),
            format!("abort: {e}"),
        ),
        Ok(()) => fail(
            t,
            "server_abort_not_truncated",
            "a complete message from an aborting client".into(),
        ),
    }
}
