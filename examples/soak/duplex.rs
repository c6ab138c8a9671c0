//! Driving a [`Sender`] and a [`Receiver`] over one TLS stream, and telling
//! a stuck exchange from a slow one.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::task::Poll;
use std::time::{Duration, Instant};

use lctls::TlsStream;
use tokio::net::TcpStream;

use crate::payload::{Header, Receiver, RecvError, Sender};

/// What went wrong in a full-duplex exchange, by direction.
pub enum DuplexError {
    /// Sending failed.
    Send(io::Error),
    /// Receiving failed or the message was wrong.
    Recv(RecvError),
    /// Neither direction moved for [`stall`]: where each side stood.
    Stalled(String),
}

/// An exchange in which nothing moves for this long is stuck, not slow. (On
/// two heavily shared cores a 10,000-connection round has left healthy
/// connections idle for over a minute; a stuck one never moves again.)
static STALL_SECS: AtomicU64 = AtomicU64::new(120);

/// How long an exchange may stand still (`--stall-secs`, default 120 s).
pub fn stall() -> Duration {
    Duration::from_secs(STALL_SECS.load(Relaxed).max(4))
}

/// Sets [`stall`] for the process.
pub fn set_stall_secs(secs: u64) {
    STALL_SECS.store(secs, Relaxed);
}

/// Where a stalled exchange stands: both directions, the TLS connection,
/// and the kernel's queues for the socket.
fn describe(tls: &TlsStream<TcpStream>, tx: &Sender, rx: &Receiver) -> String {
    let c = tls.connection();
    format!(
        "{}; {}; tls: {} plaintext bytes unread, {} ciphertext bytes unsent, close_notify received {}, error {:?}; {}",
        tx.describe(),
        rx.describe(),
        c.plaintext_len(),
        c.outgoing_len(),
        c.received_close_notify(),
        c.error(),
        kernel_queues(tls.get_ref())
    )
}

/// The socket's line in /proc/net/tcp: state and send/receive queue lengths.
fn kernel_queues(tcp: &TcpStream) -> String {
    let (Ok(local), Ok(peer)) = (tcp.local_addr(), tcp.peer_addr()) else {
        return "kernel: no addresses".into();
    };
    let hex = |a: std::net::SocketAddr| match a.ip() {
        std::net::IpAddr::V4(ip) => {
            format!("{:08X}:{:04X}", u32::from_le_bytes(ip.octets()), a.port())
        }
        std::net::IpAddr::V6(_) => String::new(),
    };
    let (l, p) = (hex(local), hex(peer));
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    for line in table.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() > 4 && f[1] == l && f[2] == p {
            return format!("kernel: state {} tx:rx queues {} (hex)", f[3], f[4]);
        }
    }
    format!("kernel: socket {local} -> {peer} not in /proc/net/tcp")
}

/// Sends and receives at the same time on one stream, in one task: KeyUpdate
/// needs `&mut TlsStream`, which a split stream would not give.
pub async fn duplex(
    tls: &mut TlsStream<TcpStream>,
    tx: &mut Sender,
    rx: &mut Receiver,
) -> Result<(), DuplexError> {
    let mut sent = false;
    let mut received = false;
    // The interval only wakes the task now and then; progress is judged
    // after each poll, so a late timer cannot make a moving exchange look stuck.
    let stall = stall();
    let mut tick = tokio::time::interval(stall / 4);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last = (tx.progress(), rx.progress());
    let mut last_change = Instant::now();
    let (mut polls, mut polls_at_change) = (0u64, 0u64);
    // Ciphertext lctls wrote to the socket while the payload did not move:
    // with few polls and bytes written at each, the writer is not woken when
    // the socket drains (or the runtime is too busy to poll it sooner).
    let (mut outgoing, mut written_since_change) = (0usize, 0usize);
    let r = std::future::poll_fn(|cx| {
        polls += 1;
        let before = tls.connection().outgoing_len();
        if before < outgoing {
            written_since_change += outgoing - before;
        }
        if !sent {
            if let Poll::Ready(r) = tx.poll(cx, tls) {
                r.map_err(DuplexError::Send)?;
                sent = true;
            }
        }
        if !received {
            if let Poll::Ready(r) = rx.poll(cx, tls, false) {
                r.map_err(DuplexError::Recv)?;
                received = true;
            }
        }
        if sent && received {
            return Poll::Ready(Ok(()));
        }
        let after = tls.connection().outgoing_len();
        written_since_change += before.saturating_sub(after);
        outgoing = after;
        let now = (tx.progress(), rx.progress());
        if now != last {
            last = now;
            last_change = Instant::now();
            polls_at_change = polls;
            written_since_change = 0;
        } else if last_change.elapsed() >= stall {
            let polled = polls - polls_at_change;
            let state = describe(tls, tx, rx);
            return Poll::Ready(Err(DuplexError::Stalled(format!(
                "{state}; polled {polled} times without progress (the timer polls it every {} s), \
                 writing {written_since_change} ciphertext bytes meanwhile",
                (stall / 4).as_secs()
            ))));
        }
        while tick.poll_tick(cx).is_ready() {}
        Poll::Pending
    })
    .await;
    match r {
        Err(DuplexError::Stalled(state)) => {
            let probe = probe_writable(tls.get_ref()).await;
            Err(DuplexError::Stalled(format!("{state}; {probe}")))
        }
        r => r,
    }
}

/// Asks the kernel afresh whether the socket has room to write, bypassing
/// the runtime's cached readiness: a duplicate descriptor registered anew
/// reports the socket's current state. Tells a lost wakeup (writable here)
/// from a socket the kernel keeps full (not writable either).
async fn probe_writable(tcp: &TcpStream) -> String {
    use std::os::fd::AsFd;
    let dup = match tcp.as_fd().try_clone_to_owned() {
        Ok(fd) => std::net::TcpStream::from(fd),
        Err(e) => return format!("probe: dup: {e}"),
    };
    let fresh = match TcpStream::from_std(dup) {
        Ok(t) => t,
        Err(e) => return format!("probe: register: {e}"),
    };
    match tokio::time::timeout(Duration::from_millis(500), fresh.writable()).await {
        Ok(Ok(())) => "probe: a fresh registration sees the socket writable".into(),
        Ok(Err(e)) => format!("probe: {e}"),
        Err(_) => "probe: a fresh registration does not see it writable either".into(),
    }
}

/// Reads the header only.
pub async fn recv_header(
    tls: &mut TlsStream<TcpStream>,
    rx: &mut Receiver,
) -> Result<Header, RecvError> {
    std::future::poll_fn(|cx| rx.poll(cx, tls, true)).await?;
    rx.header().ok_or(RecvError::Short { got: 0, want: 0 })
}

/// Reads until the message (and close_notify) is in.
pub async fn recv_all(tls: &mut TlsStream<TcpStream>, rx: &mut Receiver) -> Result<(), RecvError> {
    std::future::poll_fn(|cx| rx.poll(cx, tls, false)).await
}

/// Sends until the message is out.
pub async fn send_all(tls: &mut TlsStream<TcpStream>, tx: &mut Sender) -> io::Result<()> {
    std::future::poll_fn(|cx| tx.poll(cx, tls)).await
}
