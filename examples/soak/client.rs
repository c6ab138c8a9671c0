//! The client side: one task per connection. Each connects (a few hundred
//! at a time), waits at the round's gate until every connection of the
//! round is established, then exchanges its messages.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use lctls::proto::enums::ProtocolVersion;
use lctls::{TlsConnector, TlsStream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{watch, Semaphore};

use crate::duplex::{duplex, send_all, DuplexError};
use crate::kind::{connector, roots, tcp_socket, Kind, ACK, CLIENT_KEY_UPDATE_EVERY, SERVER_NAME};
use crate::payload::{io_label, Header, Prng, Receiver, Sender};
use crate::tally::Tally;

/// Bound on one connection's TCP connect plus handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(60);

/// Everything the client tasks share.
pub struct Client {
    /// The counters.
    pub tally: Tally,
    plain: SocketAddr,
    mtls: SocketAddr,
    full13: TlsConnector,
    full12: TlsConnector,
    mtls13: TlsConnector,
    mtls12: TlsConnector,
    /// One per Resume13 slot: its cache holds the ticket of the slot's previous round.
    resume13: Vec<TlsConnector>,
    /// Shared by every Resume12 slot.
    resume12: TlsConnector,
    /// Connections allowed to be connecting at once.
    ramp: Semaphore,
    max_bytes: u64,
    seed: u64,
    sock_buf: u32,
}

impl Client {
    /// Configurations for rounds of `connections` connections.
    pub fn new(
        plain: SocketAddr,
        mtls: SocketAddr,
        connections: usize,
        ramp: usize,
        max_bytes: u64,
        seed: u64,
        sock_buf: u32,
    ) -> io::Result<Self> {
        let roots = roots()?;
        let (v13, v12) = (ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2);
        let resume13_slots = connections.div_ceil(Kind::ALL.len());
        let resume13 = (0..resume13_slots)
            .map(|_| connector(&roots, v13, 1, false))
            .collect::<io::Result<_>>()?;
        Ok(Client {
            tally: Tally::default(),
            plain,
            mtls,
            full13: connector(&roots, v13, 0, false)?,
            full12: connector(&roots, v12, 0, false)?,
            mtls13: connector(&roots, v13, 0, true)?,
            mtls12: connector(&roots, v12, 0, true)?,
            resume13,
            resume12: connector(&roots, v12, 1, false)?,
            ramp: Semaphore::new(ramp.max(1)),
            max_bytes,
            seed,
            sock_buf,
        })
    }

    fn connector(&self, kind: Kind, slot: usize) -> &TlsConnector {
        match kind {
            Kind::Full13 | Kind::KeyUpdate13 | Kind::Abort13 => &self.full13,
            Kind::Full12 | Kind::Abort12 => &self.full12,
            Kind::Mtls13 => &self.mtls13,
            Kind::Mtls12 => &self.mtls12,
            Kind::Resume13 => &self.resume13[slot / Kind::ALL.len()],
            Kind::Resume12 => &self.resume12,
        }
    }

    /// The header of slot `slot` in round `round`.
    fn header(&self, kind: Kind, round: usize, slot: usize) -> Header {
        let mix = (round as u64) << 32 | slot as u64;
        let seed = Prng::new(self.seed ^ mix.wrapping_mul(0xd1b5_4a32_d192_ed03)).next_u64();
        let len = Prng::new(!seed).below_or_eq(self.max_bytes);
        Header {
            kind: kind.code(),
            seed,
            len,
        }
    }

    /// Records an unexpected error and describes the first few on stderr.
    fn fail(&self, label: &str, what: String) {
        if self.tally.messages().len() < 10 {
            eprintln!("soak client: {label}: {what}");
        }
        self.tally.unexpected(label, what);
    }
}

/// One connection of round `round`. `arrived` counts connections that are
/// established or have failed; `go` opens the gate.
pub async fn connection(
    c: Arc<Client>,
    round: usize,
    slot: usize,
    arrived: Arc<AtomicUsize>,
    mut go: watch::Receiver<bool>,
) {
    let kind = Kind::of_slot(slot);
    let addr = if kind.mtls() { c.mtls } else { c.plain };
    let connected = {
        let _permit = c.ramp.acquire().await;
        tokio::time::timeout(HANDSHAKE_TIMEOUT, async {
            let tcp = tcp_socket(c.sock_buf)?.connect(addr).await?;
            tcp.set_nodelay(true)?;
            c.connector(kind, slot).connect(SERVER_NAME, tcp).await
        })
        .await
    };
    arrived.fetch_add(1, Relaxed);
    let mut tls = match connected {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            let label = format!("client_handshake_{}", io_label(&e));
            return c.fail(&label, format!("{kind:?} handshake: {e}"));
        }
        Err(_) => return c.fail("client_handshake_timeout", format!("{kind:?}: timed out")),
    };
    Tally::add(&c.tally.handshakes, 1);
    let resumed = tls.negotiated().resumed;
    if resumed {
        Tally::add(&c.tally.resumed, 1);
    }
    let _open = c.tally.opened();
    if tls.protocol_version() != Some(kind.version()) {
        let v = tls.protocol_version();
        c.fail("client_wrong_version", format!("{kind:?} negotiated {v:?}"));
    }
    // The first round fills the caches; after it every resumption must work.
    if kind.resumes() && round > 0 && !resumed {
        c.fail(
            "client_not_resumed",
            format!("{kind:?} slot {slot} round {round}"),
        );
    }
    // Every connection of the round waits here, so at the gate all are open at once.
    let _ = go.wait_for(|open| *open).await;

    let header = c.header(kind, round, slot);
    if kind.aborts() {
        return abort(&c, &mut tls, header).await;
    }
    let mut tx = Sender::new(header);
    if kind == Kind::KeyUpdate13 {
        tx = tx.key_update_every(CLIENT_KEY_UPDATE_EVERY, true);
    }
    let mut rx = Receiver::new();
    let r = duplex(&mut tls, &mut tx, &mut rx).await;
    Tally::add(&c.tally.key_updates, tx.key_updates);
    match r {
        Ok(()) if rx.header().map(|h| h.kind) != Some(header.kind) => {
            c.fail(
                "client_kind_not_echoed",
                format!("{kind:?}: {:?}", rx.header()),
            );
        }
        Ok(()) => {
            Tally::add(&c.tally.bytes_in, rx.got());
            Tally::add(&c.tally.bytes_out, tx.sent());
            Tally::add(&c.tally.messages_ok, 1);
        }
        Err(DuplexError::Send(e)) => {
            let label = format!("client_send_{}", io_label(&e));
            c.fail(&label, format!("{kind:?} send: {e}"));
        }
        Err(DuplexError::Recv(e)) => {
            let label = format!("client_recv_{}", e.label());
            c.fail(&label, format!("{kind:?} receive: {e}"));
        }
        Err(DuplexError::Stalled(state)) => {
            c.fail(
                "client_stalled",
                format!("{kind:?} slot {slot} stalled: {state}"),
            );
        }
    }
}

/// Sends the header, waits for the server's acknowledgement (so nothing is
/// left unread in our socket: closing it then sends FIN, not RST), sends a
/// random part of the payload and closes the TCP stream without close_notify.
async fn abort(c: &Client, tls: &mut TlsStream<TcpStream>, header: Header) {
    let cut = Prng::new(header.seed.rotate_left(17)).below_or_eq(header.len.saturating_sub(1));
    let r = async {
        tls.write_all(&header.encode()).await?;
        tls.flush().await?;
        let mut ack = [0u8; 1];
        tls.read_exact(&mut ack).await?;
        if ack[0] != ACK {
            return Err(io::Error::other(format!("ack byte {:#x}", ack[0])));
        }
        let mut tx = Sender::new(header).header_sent().cut_after(cut);
        send_all(tls, &mut tx).await?;
        Ok(tx.sent())
    }
    .await;
    match r {
        Ok(sent) => Tally::add(&c.tally.abort_bytes, sent),
        Err(e) => c.fail(
            &format!("client_abort_{}", io_label(&e)),
            format!("abort: {e}"),
        ),
    }
    // The caller drops `tls`, and with it the TCP stream: no close_notify.
}
