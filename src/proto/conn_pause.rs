//! A connection waiting for the application: the asynchronous hooks of
//! [`crate::hooks`] seen from the sans-IO side.
//!
//! A handshake state that needs a hook's answer does not call it: it turns
//! into a paused state holding the [`Request`], the hook, and exactly the
//! state it goes on with. While paused the connection makes no handshake
//! progress; input stays buffered (bounded, see [`MAX_PAUSED_INPUT`]) and
//! is processed once [`Connection::resume_with`] supplies the [`Answer`].

use std::sync::Arc;

use super::{Connection, State};
use crate::config::CertifiedKey;
use crate::error::Error;
use crate::hooks::{
    AsyncClientCertVerifier, AsyncResolvesServerCert, AsyncServerCertVerifier, AsyncSigningKey,
    ClientCertInput, ClientHelloDetails, HookFuture, ServerCertInput,
};
use crate::pki::CertificateError;
use crate::proto::handshake::resume::replay::AntiReplay;
use crate::proto::handshake::resume::{ServerSessionStore, Session12};
use crate::proto::record::codec::MAX_CIPHERTEXT;
use crate::proto::wire::enums::{AlertDescription, SignatureScheme};

/// Ciphertext a paused connection holds unprocessed before it gives up:
/// what a peer may legitimately have in flight behind the message we
/// paused on (the rest of its flight, rejected 0-RTT records) fits; an IO
/// loop should stop reading while [`Connection::pending`] is `Some`.
pub const MAX_PAUSED_INPUT: usize = 4 * (MAX_CIPHERTEXT + 5);

/// What a paused connection waits for (see [`Connection::pending`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Request {
    /// Server: choose the certificate for this ClientHello; answer with
    /// [`Answer::Certificate`].
    SelectCertificate(ClientHelloDetails),
    /// Sign `message` with `scheme` using the certificate's
    /// [`AsyncSigningKey`]; answer with [`Answer::Signature`].
    Sign {
        /// The scheme the handshake chose.
        scheme: SignatureScheme,
        /// The bytes to sign (not a digest).
        message: Vec<u8>,
    },
    /// Client: the configured verifier accepted the server's chain; the
    /// [`AsyncServerCertVerifier`] decides. Answer with [`Answer::Verified`].
    VerifyServer(ServerCertInput),
    /// Server: the configured verifier accepted the client's chain; the
    /// [`AsyncClientCertVerifier`] decides. Answer with [`Answer::Verified`].
    VerifyClient(ClientCertInput),
    /// Server, TLS 1.2: look up the session stored under this session ID in
    /// an asynchronous [`ServerSessionStore`] (one whose
    /// [`is_async`](ServerSessionStore::is_async) is true); answer with
    /// [`Answer::Session`].
    LookupSession(Vec<u8>),
    /// Server, TLS 1.3: claim this ticket digest for 0-RTT at `now`
    /// (seconds) in an asynchronous [`AntiReplay`] register (one whose
    /// [`is_async`](AntiReplay::is_async) is true); answer with
    /// [`Answer::EarlyDataClaimed`].
    ClaimEarlyData {
        /// SHA-256 of the ticket identity.
        ticket: [u8; 32],
        /// The server's time, in seconds since the Unix epoch.
        now: u64,
    },
}

impl Request {
    fn name(&self) -> &'static str {
        match self {
            Request::SelectCertificate(_) => "SelectCertificate",
            Request::Sign { .. } => "Sign",
            Request::VerifyServer(_) => "VerifyServer",
            Request::VerifyClient(_) => "VerifyClient",
            Request::LookupSession(_) => "LookupSession",
            Request::ClaimEarlyData { .. } => "ClaimEarlyData",
        }
    }

    fn accepts(&self, answer: &Answer) -> bool {
        matches!(
            (self, answer),
            (Request::SelectCertificate(_), Answer::Certificate(_))
                | (Request::Sign { .. }, Answer::Signature(_))
                | (Request::VerifyServer(_), Answer::Verified(_))
                | (Request::VerifyClient(_), Answer::Verified(_))
                | (Request::LookupSession(_), Answer::Session(_))
                | (Request::ClaimEarlyData { .. }, Answer::EarlyDataClaimed(_))
        )
    }
}

/// The application's answer to a [`Request`] (see [`Connection::resume_with`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum Answer {
    /// To [`Request::SelectCertificate`]: the certificate, `None` for none
    /// (unrecognized_name when the client sent a server name,
    /// handshake_failure otherwise), or an error whose alert is sent
    /// (internal_error when it has none).
    Certificate(Result<Option<Arc<CertifiedKey>>, Error>),
    /// To [`Request::Sign`]: the signature, or an error (internal_error).
    Signature(Result<Vec<u8>, Error>),
    /// To [`Request::VerifyServer`] and [`Request::VerifyClient`]: accepted,
    /// or refused with the alert the error names.
    Verified(Result<(), CertificateError>),
    /// To [`Request::LookupSession`]: the stored session, or None for a
    /// full handshake (a store that cannot answer answers None).
    Session(Option<Session12>),
    /// To [`Request::ClaimEarlyData`]: true when this is the ticket's first
    /// claim; false when it was claimed before or the register cannot tell
    /// (the early data is then refused and the handshake goes on in 1-RTT).
    EarlyDataClaimed(bool),
}

impl Answer {
    fn name(&self) -> &'static str {
        match self {
            Answer::Certificate(_) => "Certificate",
            Answer::Signature(_) => "Signature",
            Answer::Verified(_) => "Verified",
            Answer::Session(_) => "Session",
            Answer::EarlyDataClaimed(_) => "EarlyDataClaimed",
        }
    }
}

/// The hook a paused state waits for.
#[derive(Debug)]
pub(crate) enum Hook {
    Resolver(Arc<dyn AsyncResolvesServerCert>),
    Signer(Arc<dyn AsyncSigningKey>),
    ServerVerifier(Arc<dyn AsyncServerCertVerifier>),
    ClientVerifier(Arc<dyn AsyncClientCertVerifier>),
    SessionStore(Arc<dyn ServerSessionStore>),
    AntiReplay(Arc<dyn AntiReplay>),
}

/// A handshake state waiting for `hook` to answer `request`; `next` is
/// what it goes on with.
pub(crate) struct Paused<S> {
    pub(crate) request: Request,
    pub(crate) hook: Hook,
    pub(crate) next: S,
}

impl<S> Paused<S> {
    /// Runs the hook on (a copy of) the request.
    pub(crate) fn future(&self) -> HookFuture<Answer> {
        let mismatch = || -> HookFuture<Answer> {
            Box::pin(async {
                Answer::Verified(Err(CertificateError::Other("hook mismatch".into())))
            })
        };
        match (&self.hook, &self.request) {
            (Hook::Resolver(r), Request::SelectCertificate(hello)) => {
                let f = r.resolve(hello.clone());
                Box::pin(async move { Answer::Certificate(f.await) })
            }
            (Hook::Signer(k), Request::Sign { scheme, message }) => {
                let f = k.sign(*scheme, message.clone());
                Box::pin(async move { Answer::Signature(f.await) })
            }
            (Hook::ServerVerifier(v), Request::VerifyServer(input)) => {
                let f = v.verify_server_cert(input.clone());
                Box::pin(async move { Answer::Verified(f.await) })
            }
            (Hook::ClientVerifier(v), Request::VerifyClient(input)) => {
                let f = v.verify_client_cert(input.clone());
                Box::pin(async move { Answer::Verified(f.await) })
            }
            (Hook::SessionStore(store), Request::LookupSession(id)) => {
                let f = store.get_async(id.clone());
                Box::pin(async move { Answer::Session(f.await) })
            }
            (Hook::AntiReplay(r), Request::ClaimEarlyData { ticket, now }) => {
                let f = r.claim_async(*ticket, *now);
                Box::pin(async move { Answer::EarlyDataClaimed(f.await) })
            }
            // Never built: each paused state pairs its request with its hook.
            _ => mismatch(),
        }
    }
}

/// The certificate in a resolver's answer, or the error the handshake
/// fails with (see [`Answer::Certificate`]).
pub(crate) fn resolved_certificate(
    answer: Answer,
    server_name: Option<&str>,
) -> Result<Arc<CertifiedKey>, Error> {
    match answer {
        Answer::Certificate(Ok(Some(cert))) => Ok(cert),
        // RFC 6066 section 3 names unrecognized_name for a server name we
        // do not serve; without one there is simply no certificate for
        // this client (RFC 8446 section 4.4.2.2: handshake_failure).
        Answer::Certificate(Ok(None)) => Err(match server_name {
            Some(name) => Error::protocol(
                AlertDescription::UnrecognizedName,
                format!("no certificate for server name {name:?}"),
            ),
            None => Error::handshake("no certificate for a client that sent no server name"),
        }),
        Answer::Certificate(Err(e)) => Err(with_alert(e, "certificate resolver")),
        other => Err(wrong_answer(other)),
    }
}

/// The signature in a signer's answer; a failure is internal_error.
pub(crate) fn signature(answer: Answer) -> Result<Vec<u8>, Error> {
    match answer {
        Answer::Signature(Ok(sig)) if !sig.is_empty() => Ok(sig),
        Answer::Signature(Ok(_)) => Err(Error::internal("the signer returned an empty signature")),
        Answer::Signature(Err(e)) => Err(Error::internal(format!("signing failed: {e}"))),
        other => Err(wrong_answer(other)),
    }
}

/// A session store's answer.
pub(crate) fn looked_up(answer: Answer) -> Result<Option<Session12>, Error> {
    match answer {
        Answer::Session(s) => Ok(s),
        other => Err(wrong_answer(other)),
    }
}

/// An anti-replay register's answer.
pub(crate) fn claimed(answer: Answer) -> Result<bool, Error> {
    match answer {
        Answer::EarlyDataClaimed(ok) => Ok(ok),
        other => Err(wrong_answer(other)),
    }
}

/// A verifier's verdict; a refusal fails with its certificate error's alert.
pub(crate) fn verified(answer: Answer) -> Result<(), Error> {
    match answer {
        Answer::Verified(r) => r.map_err(Error::Certificate),
        other => Err(wrong_answer(other)),
    }
}

fn with_alert(e: Error, who: &str) -> Error {
    match e.alert() {
        Some(_) => e,
        None => Error::internal(format!("{who} failed: {e}")),
    }
}

fn wrong_answer(answer: Answer) -> Error {
    Error::internal(format!("unexpected {} answer", answer.name()))
}

impl Connection {
    /// What the handshake waits for from the application, if it is paused
    /// for an asynchronous hook (see [`crate::hooks`]). While it is, the
    /// handshake makes no progress: stop reading from the transport (at
    /// most [`MAX_PAUSED_INPUT`] bytes are held unprocessed; beyond that
    /// [`Connection::process`] fails with internal_error), keep writing
    /// what [`Connection::take_outgoing`] gives (our flight before the
    /// pause), get the answer, and pass it to [`Connection::resume_with`].
    ///
    /// The Tokio acceptor and connector do all this themselves. By hand, over
    /// any transport (here the certificate is chosen inline, where a real
    /// program would await its store):
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
    /// use lctls::hooks::{Answer, AsyncResolvesServerCert, ClientHelloDetails, HookFuture, Request};
    /// use lctls::pki::{RootStore, ServerName};
    /// use lctls::proto::Connection;
    ///
    /// #[derive(Debug)]
    /// struct Later; // never called here: the loop below answers instead
    /// impl AsyncResolvesServerCert for Later {
    ///     fn resolve(&self, _: ClientHelloDetails)
    ///         -> HookFuture<Result<Option<Arc<CertifiedKey>>, lctls::Error>> {
    ///         Box::pin(async { Ok(None) })
    ///     }
    /// }
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
    /// let key = Arc::new(CertifiedKey::from_pem_files(
    ///     format!("{dir}/server.pem"), format!("{dir}/server.key"))?);
    /// let server = ServerConfig::builder().with_async_cert_resolver(Arc::new(Later)).build()?;
    /// let mut roots = RootStore::new();
    /// roots.add_pem_file(format!("{dir}/ca.pem"))?;
    /// let client = ClientConfig::builder().with_root_store(Arc::new(roots)).build()?;
    ///
    /// let mut c = Connection::new_client(Arc::new(client), ServerName::try_from("localhost")?)?;
    /// let mut s = Connection::new_server(Arc::new(server));
    /// for _ in 0..10 {
    ///     let to_server = c.take_outgoing();
    ///     s.feed(&to_server);
    ///     s.process()?;
    ///     if let Some(Request::SelectCertificate(hello)) = s.pending() {
    ///         assert_eq!(hello.server_name.as_deref(), Some("localhost"));
    ///         s.resume_with(Answer::Certificate(Ok(Some(key.clone()))))?;
    ///     }
    ///     let to_client = s.take_outgoing();
    ///     c.feed(&to_client);
    ///     c.process()?;
    /// }
    /// assert!(!c.is_handshaking() && !s.is_handshaking());
    /// # Ok(()) }
    /// ```
    pub fn pending(&self) -> Option<&Request> {
        match &self.state {
            State::Server(s) => s.get()?.pending(),
            State::Client(s) => s.get()?.pending(),
            State::Server12(s) => s.get()?.pending(),
            State::Client12(s) => s.get()?.pending(),
            _ => None,
        }
    }

    /// The future of the configured hook for [`Connection::pending`]'s
    /// request; its output goes to [`Connection::resume_with`]. None when
    /// the connection is not paused.
    pub fn hook_future(&self) -> Option<HookFuture<Answer>> {
        match &self.state {
            State::Server(s) => s.get()?.hook_future(),
            State::Client(s) => s.get()?.hook_future(),
            State::Server12(s) => s.get()?.hook_future(),
            State::Client12(s) => s.get()?.hook_future(),
            _ => None,
        }
    }

    /// Supplies the answer to [`Connection::pending`]'s request and goes on
    /// with the handshake, processing input buffered meanwhile.
    ///
    /// An answer of the wrong kind, or one given while nothing is pending,
    /// is refused with [`Error::Config`] and changes nothing. A hook's
    /// failure in the answer fails the handshake with the alert
    /// [`Answer`] says; that error, like any the processing meets, is
    /// returned and kept as with [`Connection::process`].
    pub fn resume_with(&mut self, answer: Answer) -> Result<(), Error> {
        if let Some(e) = self.error.as_deref() {
            return Err(e.clone());
        }
        let Some(request) = self.pending() else {
            return Err(Error::Config(format!(
                "a {} answer, but the connection waits for nothing",
                answer.name()
            )));
        };
        if !request.accepts(&answer) {
            return Err(Error::Config(format!(
                "a {} answer to a {} request",
                answer.name(),
                request.name()
            )));
        }
        let state = std::mem::replace(&mut self.state, State::Failed);
        let next = match state {
            State::Server(mut s) => s
                .take()
                .and_then(|t| t.resume(&mut self.common, answer))
                .map(|n| State::Server(s.put(n))),
            State::Client(mut s) => match s.take().and_then(|t| t.resume(&mut self.common, answer))
            {
                Ok(Some(n)) => Ok(State::Client(s.put(n))),
                Ok(None) => Ok(self.established()),
                Err(e) => Err(e),
            },
            State::Server12(mut s) => s
                .take()
                .and_then(|t| t.resume(&mut self.common, answer))
                .map(|n| State::Server12(s.put(n))),
            State::Client12(mut s) => s
                .take()
                .and_then(|t| t.resume(&mut self.common, answer))
                .map(|n| State::Client12(s.put(n))),
            other => {
                self.state = other;
                return Err(Error::internal("paused in a state without hooks"));
            }
        };
        match next {
            Ok(next) => self.state = next,
            Err(e) => return Err(self.fail(e)),
        }
        // Messages that arrived behind the one we paused on.
        match self.drain_joiner() {
            Ok(()) => self.process(),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// True while paused for a hook.
    pub(crate) fn is_paused(&self) -> bool {
        self.pending().is_some()
    }

    /// While paused, the input held back must stay within bounds.
    pub(crate) fn check_paused_input(&self) -> Result<(), Error> {
        if self.common.incoming.len() > MAX_PAUSED_INPUT {
            return Err(Error::internal(format!(
                "more than {MAX_PAUSED_INPUT} bytes arrived while the handshake waited for the application"
            )));
        }
        Ok(())
    }

    /// Handles the handshake messages already reassembled, until none is
    /// left or a hook pauses the handshake again.
    pub(crate) fn drain_joiner(&mut self) -> Result<(), Error> {
        while !self.is_paused() {
            let Some(msg) = self.common.joiner.next_message()? else {
                break;
            };
            self.handle_handshake(&msg)?;
        }
        Ok(())
    }
}
