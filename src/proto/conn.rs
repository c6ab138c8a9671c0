//! The sans-IO [`Connection`]: state, buffers and the record loop; its
//! handshake pauses, 0-RTT and split halves are in `conn_*.rs`.

use std::sync::Arc;

use bytes::BytesMut;
use rustls_pki_types::ServerName;
use tokio_util::codec::Decoder;

use crate::config::{ClientConfig, ServerConfig};
use crate::error::Error;
pub(crate) use crate::proto::common::{Common, Exporter};
use crate::proto::handshake::client12::Client12State;
use crate::proto::handshake::client13::ClientState;
use crate::proto::handshake::server12::Server12State;
use crate::proto::handshake::server13::{self, ServerState};
use crate::proto::handshake::Negotiated;
use crate::proto::keys::keylog::ConnKeyLog;
use crate::proto::record::codec::OpaqueRecord;
use crate::proto::record::layer::PlainRecord;
use crate::proto::wire::enums::{AlertDescription, AlertLevel, ContentType, HandshakeType};
use crate::proto::wire::handshake::HandshakeMessage;
use crate::proto::wire::tls12::Handshake12;

/// Consecutive records that carry nothing (empty application data, dummy
/// change_cipher_spec, warning alerts) we accept before calling it a flood.
pub(crate) const MAX_EMPTY_RECORDS: u32 = 32;
/// Consecutive warning alerts (user_canceled, or any warning in TLS 1.2)
/// we accept. They also count as empty records; this tighter bound is
/// BoringSSL's (kMaxWarningAlerts; OpenSSL allows 5): a warning alert carries
/// nothing, no real stack sends more than one or two in a row, and every one
/// is a record we open and skip for free to the sender.
pub(crate) const MAX_WARNING_ALERTS: u32 = 4;
/// Decrypted application data we hold for the reader before we stop opening records.
pub const MAX_BUFFERED_PLAINTEXT: usize = 64 * 1024;

/// Which end of the connection we are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// We connected.
    Client,
    /// We accepted.
    Server,
}

/// The handshake progress of either side.
enum State {
    Client(Slot<ClientState>),
    Server(Slot<ServerState>),
    Client12(Slot<Client12State>),
    Server12(Slot<Server12State>),
    Established,
    /// A fatal error happened; the error is kept in `Connection::error`.
    Failed,
}

/// The sans-IO TLS 1.3 and TLS 1.2 endpoint, without any IO. Ciphertext goes in with
/// [`Connection::incoming_mut`] + [`Connection::process`], ciphertext comes out
/// of [`Connection::outgoing`]; plaintext goes in with
/// [`Connection::write_plaintext`] and comes out with [`Connection::read_plaintext`].
/// A handshake with an asynchronous hook (see [`crate::hooks`]) pauses
/// for the application: see [`Connection::pending`].
///
/// It touches no socket, so any IO drives it. Over blocking `std::net`
/// sockets, with nothing but the standard library around it (a server
/// thread echoing one line to a client):
///
/// ```
/// use std::io::{Read, Write};
/// use std::net::{TcpListener, TcpStream};
/// use std::sync::Arc;
/// use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
/// use lctls::pki::RootStore;
/// use lctls::proto::Connection;
///
/// /// Writes what the connection queued, reads once and processes what came,
/// /// and writes what that produced.
/// fn pump(conn: &mut Connection, tcp: &mut TcpStream) -> std::io::Result<()> {
///     tcp.write_all(&conn.take_outgoing())?;
///     let mut buf = [0u8; 16 * 1024];
///     let n = tcp.read(&mut buf)?;
///     if n == 0 {
///         conn.process_eof()?; // EOF without close_notify is an error
///     } else {
///         conn.feed(&buf[..n]);
///         conn.process()?;
///     }
///     tcp.write_all(&conn.take_outgoing())
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
/// let server_config = Arc::new(
///     ServerConfig::builder()
///         .with_certified_key(CertifiedKey::from_pem_files(
///             format!("{dir}/server.pem"),
///             format!("{dir}/server.key"),
///         )?)
///         .build()?,
/// );
/// let mut roots = RootStore::new();
/// roots.add_pem_file(format!("{dir}/ca.pem"))?;
/// let client_config = Arc::new(ClientConfig::builder().with_root_store(Arc::new(roots)).build()?);
///
/// let listener = TcpListener::bind("127.0.0.1:0")?;
/// let addr = listener.local_addr()?;
/// let server = std::thread::spawn(move || -> std::io::Result<Vec<u8>> {
///     let (mut tcp, _) = listener.accept()?;
///     let mut conn = Connection::new_server(server_config);
///     let mut line = Vec::new();
///     while !line.ends_with(b"\n") {
///         pump(&mut conn, &mut tcp)?;
///         let mut buf = [0u8; 256];
///         let n = conn.read_plaintext(&mut buf);
///         line.extend_from_slice(&buf[..n]);
///     }
///     conn.write_plaintext(&line)?; // the echo
///     conn.send_close_notify();
///     tcp.write_all(&conn.take_outgoing())?;
///     Ok(line)
/// });
///
/// let mut tcp = TcpStream::connect(addr)?;
/// let mut conn = Connection::new_client(client_config, "localhost".try_into()?)?;
/// while conn.is_handshaking() {
///     pump(&mut conn, &mut tcp)?;
/// }
/// conn.write_plaintext(b"hello over std\n")?;
/// let mut echo = Vec::new();
/// while !conn.received_close_notify() {
///     pump(&mut conn, &mut tcp)?;
///     let mut buf = [0u8; 256];
///     let n = conn.read_plaintext(&mut buf);
///     echo.extend_from_slice(&buf[..n]);
/// }
/// assert_eq!(echo, b"hello over std\n");
/// assert_eq!(server.join().expect("server thread")?, b"hello over std\n");
/// # Ok(()) }
/// ```
pub struct Connection {
    common: Common,
    state: State,
    /// Boxed: an `Error` is 80 bytes, and every live connection carries
    /// this field while almost none has an error to keep.
    error: Option<Box<Error>>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("side", &self.common.side)
            .field("handshaking", &self.is_handshaking())
            .field("negotiated", &self.common.negotiated)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A client connection to `server_name`; its ClientHello is queued at once.
    pub fn new_client(
        config: Arc<ClientConfig>,
        server_name: ServerName<'static>,
    ) -> Result<Self, Error> {
        Self::client(config, server_name, None)
    }

    /// A server connection waiting for a ClientHello.
    pub fn new_server(config: Arc<ServerConfig>) -> Self {
        let mut common = Common::new(
            Side::Server,
            config.shared.max_handshake_message,
            config.shared.max_fragment,
        );
        common.key_log = ConnKeyLog::new(config.shared.key_log.clone());
        Connection {
            common,
            state: State::Server(Slot::new(server13::start(config))),
            error: None,
        }
    }

    /// Which side this is.
    pub fn side(&self) -> Side {
        self.common.side
    }

    /// True until the handshake has completed (or failed).
    pub fn is_handshaking(&self) -> bool {
        matches!(
            self.state,
            State::Client(_) | State::Server(_) | State::Client12(_) | State::Server12(_)
        )
    }

    /// What the handshake negotiated so far.
    pub fn negotiated(&self) -> &Negotiated {
        &self.common.negotiated
    }

    /// The buffer of ciphertext received from the peer: append to it, then call [`Connection::process`].
    pub fn incoming_mut(&mut self) -> &mut BytesMut {
        &mut self.common.incoming
    }

    /// Appends ciphertext received from the peer.
    pub fn feed(&mut self, data: &[u8]) {
        self.common.incoming.extend_from_slice(data);
    }

    /// Ciphertext waiting to be written to the peer; call
    /// [`Connection::advance_outgoing`] with what was written.
    pub fn outgoing(&self) -> &[u8] {
        self.common.outgoing.as_slice()
    }

    /// Drops the first `n` bytes of [`Connection::outgoing`]: the transport
    /// took them.
    pub fn advance_outgoing(&mut self, n: usize) {
        self.common.outgoing.advance(n);
    }

    /// Frees the outgoing buffer's memory once everything in it was written.
    pub fn release_outgoing(&mut self) {
        self.common.outgoing.release_if_empty();
    }

    /// Takes all ciphertext waiting to be written.
    pub fn take_outgoing(&mut self) -> BytesMut {
        self.common.outgoing.take()
    }

    /// Bytes of ciphertext waiting to be written.
    pub fn outgoing_len(&self) -> usize {
        self.common.outgoing.len()
    }

    /// True when the reader has buffered as much plaintext as we hold; the
    /// IO layer should stop reading until some is consumed.
    pub fn plaintext_full(&self) -> bool {
        self.common.plaintext_len >= MAX_BUFFERED_PLAINTEXT
    }

    /// Bytes of decrypted application data waiting for the reader.
    pub fn plaintext_len(&self) -> usize {
        self.common.plaintext_len
    }

    /// True once the peer's close_notify arrived: the read side is at a clean end.
    pub fn received_close_notify(&self) -> bool {
        self.common.received_close_notify
    }

    /// The fatal error the connection stopped with, if any.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_deref()
    }

    /// Processes every complete record in the incoming buffer. On a fatal
    /// error the alert it calls for is queued in the outgoing buffer and the
    /// same error is returned from every later call.
    pub fn process(&mut self) -> Result<(), Error> {
        if let Some(e) = self.error.as_deref() {
            let e = e.clone();
            self.discard_incoming();
            return Err(e);
        }
        match self.process_records() {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Processes buffered records like [`Connection::process`], but decrypts
    /// application data straight into `out` while a whole record fits there,
    /// saving the copy out of the connection's buffer. Returns the bytes
    /// written to `out`. Records that cannot go there (handshake messages,
    /// alerts, too little room) take the usual path: their plaintext is then
    /// read with [`Connection::plaintext_chunk`].
    ///
    /// Plaintext that authenticated is never lost to a later bad record: when
    /// a record fails after others were opened into `out` in the same call,
    /// their bytes are returned and the error (already recorded, its alert
    /// queued) comes from the next call.
    pub fn read_direct(&mut self, out: &mut [u8]) -> Result<usize, Error> {
        if let Some(e) = self.error.as_deref() {
            let e = e.clone();
            self.discard_incoming();
            return Err(e);
        }
        let mut n = 0;
        match self.read_direct_inner(out, &mut n) {
            Ok(()) => Ok(n),
            Err(e) => {
                let e = self.fail(e);
                if n > 0 {
                    Ok(n)
                } else {
                    Err(e)
                }
            }
        }
    }

    /// Opens records into `out`, counting delivered bytes in `n` as it goes so
    /// they survive an error in a later record.
    fn read_direct_inner(&mut self, out: &mut [u8], n: &mut usize) -> Result<(), Error> {
        loop {
            if self.is_paused() {
                return self.check_paused_input();
            }
            if self.common.received_close_notify {
                return self.after_close_notify();
            }
            if self.common.plaintext_len > 0 {
                return Ok(());
            }
            let Some(rec) = self.common.codec.decode(&mut self.common.incoming)? else {
                self.release_drained();
                return Ok(());
            };
            let room = out.len() - *n;
            let direct = matches!(self.state, State::Established)
                && self.common.joiner.is_empty()
                && self
                    .common
                    .record
                    .direct_len(&rec)
                    .is_some_and(|need| need <= room);
            if !direct {
                self.handle_record(rec)?;
                continue;
            }
            let (typ, len) = self.common.record.open_into(&rec, &mut out[*n..])?;
            if typ == ContentType::ApplicationData {
                if len == 0 {
                    self.common.count_empty("empty application data")?;
                } else {
                    self.common.saw_content();
                    *n += len;
                }
            } else {
                // A KeyUpdate, ticket or alert landed in the reader's buffer:
                // move it out and handle it as usual.
                let payload = BytesMut::from(&out[*n..*n + len]);
                out[*n..*n + len].fill(0);
                self.handle_plain(PlainRecord { typ, payload })?;
            }
        }
    }

    /// Tells the connection that the peer closed its side of the transport.
    /// Without a close_notify first, that is a truncation error.
    pub fn process_eof(&mut self) -> Result<(), Error> {
        self.process()?;
        if self.common.received_close_notify {
            return Ok(());
        }
        let e = match self.common.codec.decode_eof(&mut self.common.incoming) {
            Err(e) => e,
            Ok(_) => Error::Truncated,
        };
        self.error = Some(Box::new(e.clone()));
        self.state = State::Failed;
        Err(e)
    }

    /// Drops unprocessed input for good, after a fatal error or the peer's
    /// close_notify: nothing more will be read, and holding it would let a
    /// peer make us buffer without bound.
    fn discard_incoming(&mut self) {
        if !self.common.incoming.is_empty() || self.common.incoming.capacity() > 0 {
            self.common.incoming = BytesMut::new();
        }
    }

    /// Lets the input buffers' memory go once everything in them was
    /// processed and read: an idle connection then holds no receive
    /// allocation. Only at this point (no whole record left to decode), so a
    /// busy connection does not allocate them anew per record. The plaintext
    /// queue's ring (a few chunk handles, 128 bytes after one record) is
    /// released only when drained too; measured with benches/compare.rs
    /// idle_heap_per_pair, it was 256 of the 5,760 bytes an idle pair held.
    fn release_drained(&mut self) {
        // While handshaking the buffer is kept for the peer's next flight:
        // letting it go between flights cost a server a second 16 KiB
        // allocation per handshake (the ClientHello's, then the Finished's).
        if self.common.incoming.is_empty() && !self.is_handshaking() {
            self.common.incoming = BytesMut::new();
            if self.common.plaintext.is_empty() && self.common.plaintext.capacity() > 0 {
                self.common.plaintext = std::collections::VecDeque::new();
            }
        }
    }

    fn fail(&mut self, e: Error) -> Error {
        self.discard_incoming();
        if let Some(alert) = e.alert() {
            self.common.send_alert(AlertLevel::Fatal, alert);
        }
        tracing::debug!(error = %e, "connection failed");
        self.state = State::Failed;
        self.error = Some(Box::new(e.clone()));
        e
    }

    fn process_records(&mut self) -> Result<(), Error> {
        loop {
            if self.is_paused() {
                // Nothing moves until the application answers.
                return self.check_paused_input();
            }
            if self.common.received_close_notify {
                return self.after_close_notify();
            }
            if self.plaintext_full() {
                return Ok(());
            }
            let Some(rec) = self.common.codec.decode(&mut self.common.incoming)? else {
                self.release_drained();
                return Ok(());
            };
            self.handle_record(rec)?;
        }
    }

    /// Nothing may follow the peer's close_notify, and data after it is
    /// ignored (RFC 8446 section 6.1). Records that came in behind it are
    /// still opened, once, to refuse a handshake message there: a KeyUpdate
    /// would change the keys of a direction the peer has closed. Everything
    /// is then dropped, so nothing stays buffered after the close.
    fn after_close_notify(&mut self) -> Result<(), Error> {
        while let Ok(Some(rec)) = self.common.codec.decode(&mut self.common.incoming) {
            match self.common.record.open(rec) {
                Ok(p) if p.typ == ContentType::Handshake => {
                    return Err(Error::unexpected("handshake message after close_notify"));
                }
                Ok(_) => {}
                // Ignored like any data after the close.
                Err(_) => break,
            }
        }
        self.discard_incoming();
        Ok(())
    }

    fn handle_record(&mut self, rec: OpaqueRecord) -> Result<(), Error> {
        if rec.typ == ContentType::ChangeCipherSpec
            && matches!(self.state, State::Client12(_) | State::Server12(_))
        {
            // In TLS 1.2 ChangeCipherSpec is real: it switches the read keys.
            // RFC 5246 names no alert for a bad one; RFC 8446 section 5 does
            // for TLS 1.3, and we apply it to both: "An implementation which
            // receives any other change_cipher_spec value or which receives
            // a protected change_cipher_spec record MUST abort the handshake
            // with an "unexpected_message" alert."
            if rec.payload.as_ref() != [1] {
                return Err(Error::unexpected("malformed change_cipher_spec"));
            }
            self.common.saw_content();
            let state = std::mem::replace(&mut self.state, State::Failed);
            self.state = match state {
                State::Client12(mut s) => {
                    let next = s.take()?.handle_ccs(&mut self.common)?;
                    State::Client12(s.put(next))
                }
                State::Server12(mut s) => {
                    let next = s.take()?.handle_ccs(&mut self.common)?;
                    State::Server12(s.put(next))
                }
                _ => return Err(Error::internal("state changed under us")),
            };
            return Ok(());
        }
        if rec.typ == ContentType::ChangeCipherSpec {
            // RFC 8446 section 5: a single 0x01 byte, only while handshaking
            // (the sentence quoted above for TLS 1.2).
            if rec.payload.as_ref() != [1] {
                return Err(Error::unexpected("malformed change_cipher_spec"));
            }
            if !self.is_handshaking() {
                return Err(Error::unexpected(
                    "change_cipher_spec outside the handshake",
                ));
            }
            if self.common.side == Side::Server
                && matches!(&self.state, State::Server(s) if s.get().is_some_and(|s| s.is_initial()))
            {
                return Err(Error::unexpected("change_cipher_spec before ClientHello"));
            }
            return self.common.count_empty("change_cipher_spec");
        }
        if rec.typ == ContentType::Alert
            && !self.common.is_tls12()
            && self.is_handshaking()
            && self.common.record.is_read_encrypted()
            && self.common.record.read_seq() == 0
        {
            // A peer that has not switched its write keys yet sends its alert
            // in plaintext: OpenSSL clients do this when they reject our
            // certificate, before they ever send a protected record. Like
            // rustls, accept a plaintext alert until the first protected
            // record from the peer has been opened.
            return self.handle_alert(&rec.payload);
        }
        if self.common.skip_early_data.is_some() {
            return self.skip_or_open(rec);
        }
        let plain = self.common.record.open(rec)?;
        self.handle_plain(plain)
    }

    /// Dispatches an opened record by its (inner) content type.
    fn handle_plain(&mut self, plain: PlainRecord) -> Result<(), Error> {
        match plain.typ {
            ContentType::Handshake => {
                self.common.saw_content();
                if plain.payload.is_empty() {
                    return Err(Error::unexpected("empty handshake record"));
                }
                self.common.joiner.push(plain.payload)?;
                self.drain_joiner()
            }
            ContentType::Alert => self.handle_alert(&plain.payload),
            ContentType::ApplicationData => {
                if matches!(&self.state, State::Server(s) if s.get().is_some_and(|s| s.in_early_data()))
                {
                    if !self.common.joiner.is_empty() {
                        return Err(Error::unexpected(
                            "early data interleaved with a handshake message",
                        ));
                    }
                    return self.common.receive_early_data(&plain.payload);
                }
                if !matches!(self.state, State::Established) {
                    return Err(Error::unexpected(
                        "application data before the handshake completed",
                    ));
                }
                if !self.common.joiner.is_empty() {
                    return Err(Error::unexpected(
                        "application data interleaved with a handshake message",
                    ));
                }
                if plain.payload.is_empty() {
                    return self.common.count_empty("empty application data");
                }
                self.common.saw_content();
                self.common.plaintext_len += plain.payload.len();
                self.common.plaintext.push_back(plain.payload);
                Ok(())
            }
            other => Err(Error::unexpected(format!(
                "unexpected record content type {}",
                other.get()
            ))),
        }
    }

    fn handle_handshake(&mut self, raw: &[u8]) -> Result<(), Error> {
        if matches!(self.state, State::Failed) {
            return Err(Error::internal("connection already failed"));
        }
        self.check_message_fits_state(raw)?;
        let state = std::mem::replace(&mut self.state, State::Failed);
        self.state = match state {
            State::Client12(mut s) => {
                let msg = Handshake12::decode(raw)?;
                match s.take()?.handle(&mut self.common, msg, raw)? {
                    Some(next) => State::Client12(s.put(next)),
                    None => self.established(),
                }
            }
            State::Server12(mut s) => {
                let msg = Handshake12::decode(raw)?;
                match s.take()?.handle(&mut self.common, msg, raw)? {
                    Some(next) => State::Server12(s.put(next)),
                    None => self.established(),
                }
            }
            State::Established if self.common.is_tls12() => {
                self.handle_post_handshake12(Handshake12::decode(raw)?)?;
                State::Established
            }
            State::Client(mut s) => {
                let msg = HandshakeMessage::decode(raw)?;
                match s.take()?.handle(&mut self.common, msg, raw)? {
                    Next::Tls13(next) => State::Client(s.put(next)),
                    Next::Tls12(next) => State::Client12(Slot::new(next)),
                    Next::Done => self.established(),
                }
            }
            State::Server(mut s) => {
                let msg = HandshakeMessage::decode(raw)?;
                match s.take()?.handle(&mut self.common, msg, raw)? {
                    Next::Tls13(next) => State::Server(s.put(next)),
                    Next::Tls12(next) => State::Server12(Slot::new(next)),
                    Next::Done => self.established(),
                }
            }
            State::Established => {
                self.handle_post_handshake(HandshakeMessage::decode(raw)?)?;
                State::Established
            }
            State::Failed => return Err(Error::internal("connection already failed")),
        };
        Ok(())
    }

    fn established(&mut self) -> State {
        let n = &self.common.negotiated;
        tracing::debug!(
            side = ?self.common.side,
            version = ?n.version,
            suite = ?n.cipher_suite,
            group = ?n.group,
            alpn = ?n.alpn.as_deref().map(String::from_utf8_lossy),
            sni = ?n.sni,
            retried = n.retried,
            "handshake complete"
        );
        State::Established
    }

    fn handle_post_handshake(&mut self, msg: HandshakeMessage) -> Result<(), Error> {
        match msg {
            HandshakeMessage::KeyUpdate(requested) => self.common.handle_key_update(requested),
            HandshakeMessage::NewSessionTicket(t) if self.common.side == Side::Client => {
                // The cache keeps one ticket per server, so a flood of
                // tickets replaces rather than accumulates.
                if let Some(sink) = &self.common.ticket_sink {
                    if sink.store(&t, &self.common.negotiated) {
                        self.common.negotiated.session_stored = true;
                    }
                }
                self.common.ticket_max_early_data = t.max_early_data.filter(|&m| m > 0);
                Ok(())
            }
            other => Err(Error::unexpected(format!(
                "{:?} after the handshake (renegotiation is not supported)",
                other.typ()
            ))),
        }
    }

    /// TLS 1.2 after the handshake: renegotiation is refused and the
    /// connection ends with a fatal no_renegotiation alert. RFC 5246 7.4.1.1
    /// lets a client "respond with a no_renegotiation alert" to a
    /// HelloRequest (and 7.2.2 lets a server do so to a ClientHello); we make
    /// it fatal, as BoringSSL and Go do, so the refusal is a clear error on
    /// our side rather than a warning the peer may drop while it waits for a
    /// handshake that never comes (Go's TLS stack, for one, ignores warning
    /// alerts), and so no peer can make us answer refusals without end.
    fn handle_post_handshake12(&mut self, msg: Handshake12) -> Result<(), Error> {
        match (self.common.side, msg) {
            (Side::Client, Handshake12::HelloRequest) => Err(Error::protocol(
                AlertDescription::NoRenegotiation,
                "the server asked to renegotiate (HelloRequest): lctls never renegotiates",
            )),
            (Side::Server, Handshake12::ClientHello(_)) => Err(Error::protocol(
                AlertDescription::NoRenegotiation,
                "the client tried to renegotiate (ClientHello after the handshake): \
                 lctls never renegotiates",
            )),
            (_, other) => Err(Error::unexpected(format!(
                "{:?} after the TLS 1.2 handshake",
                other.typ()
            ))),
        }
    }
}

/// What a TLS 1.3 state machine's step leads to.
pub(crate) enum Next<S, S12> {
    /// Another TLS 1.3 state.
    Tls13(S),
    /// The peer chose TLS 1.2: continue in that side's TLS 1.2 machine.
    Tls12(S12),
    /// The handshake is complete.
    Done,
}

/// The handshake types a state may see, for error messages.
pub(crate) fn unexpected_in(state: &str, got: HandshakeType) -> Error {
    Error::unexpected(format!("unexpected {got:?} while {state}"))
}

#[path = "conn_app.rs"]
mod app;

#[path = "conn_checks.rs"]
mod checks;

#[path = "conn_early.rs"]
mod early;

#[path = "conn_split.rs"]
mod split;
pub(crate) use split::Handoff;
#[path = "conn_pause.rs"]
mod pause;

#[path = "conn_slot.rs"]
mod slot;
pub(crate) use pause::{
    claimed, looked_up, resolved_certificate, signature, verified, Hook, Paused,
};
pub use pause::{Answer, Request, MAX_PAUSED_INPUT};
use slot::Slot;

#[cfg(test)]
#[path = "conn_tests.rs"]
pub(crate) mod tests;
