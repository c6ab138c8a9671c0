//! Session resumption: the client's session cache, the server's bounded
//! TLS 1.2 session-ID cache, and session tickets (TLS 1.2 and 1.3) sealed
//! under rotating keys.
//!
//! What a session remembers, which sessions are resumable and what is
//! checked again on resumption is the public guide [`crate::docs::resumption`].

use std::sync::{Arc, Mutex};

use aws_lc_rs::aead::{Aad, Nonce, NONCE_LEN};
use zeroize::Zeroizing;

use crate::error::Error;
use crate::proto::crypto::suites::{tls12_suite, tls13_suite, Tls12CipherSuite, Tls13CipherSuite};
use crate::proto::handshake::client13::random;
use crate::proto::keys::tls12::{MasterSecret12, MASTER_SECRET_LEN};
use crate::proto::keys::tls13::{resumption_psk, Secret};
use crate::proto::wire::enums::{CipherSuite, NamedGroup, SignatureScheme};
use crate::proto::wire::handshake::NewSessionTicket;
use crate::proto::wire::reader::{Put, Reader};
use rustls_pki_types::CertificateDer;

mod caches;
mod identity;
pub(crate) mod psk;
pub mod replay;
mod store;
mod ticket_keys;
mod ticketer;

pub use store::{ClientSessionStore, ClientSessions, ServerSessionStore};

pub use caches::{ClientSessionCache, ServerSessionCache};
pub use ticket_keys::TicketKeys;
use ticket_keys::{TicketKey, KEY_NAME_LEN};
pub use ticketer::{new_session_id, Ticketer};

pub(crate) use identity::{client_may_resume, server_may_resume, session_sni, storable};
use identity::{
    put_alpn, put_chain, put_code, put_sni, read_alpn, read_chain, read_code, read_sni,
};
pub use identity::{MAX_SESSION_CHAIN_BYTES, MAX_TICKET_LIFETIME};

/// A resumable TLS 1.2 session.
#[derive(Clone)]
pub struct Session12 {
    /// The session ID (ours as a client: as the server assigned it).
    pub session_id: Vec<u8>,
    /// The ticket, if the server issued one.
    pub ticket: Option<Vec<u8>>,
    /// The master secret (crate-private: a store keeps a session through
    /// [`to_bytes`](Self::to_bytes), and nothing else reads the secret).
    pub(crate) master: MasterSecret12,
    /// Whether the session used the extended master secret.
    pub extended_ms: bool,
    /// When it was made (seconds since the epoch).
    pub created: u64,
    /// Lifetime in seconds.
    pub lifetime: u64,
    /// The peer's certificates as verified in the full handshake, end
    /// entity first (empty for a client that sent none).
    pub peer_certificates: Vec<CertificateDer<'static>>,
    /// The SNI name the session was made under, in lower case (server side).
    pub server_name: Option<String>,
    /// The key-exchange group of the full handshake.
    pub group: Option<NamedGroup>,
    /// The signature scheme the peer signed the full handshake with (None
    /// for a client that sent no certificate).
    pub peer_signature_scheme: Option<SignatureScheme>,
    /// The OCSP response the server stapled in the full handshake (client
    /// side; never in a ticket), which a resumption reports.
    pub ocsp_response: Option<Vec<u8>>,
    /// The SCT list of the full handshake (client side; never in a ticket).
    pub sct_list: Option<Vec<u8>>,
}

impl std::fmt::Debug for Session12 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session12")
            .field("suite", &self.master.suite().suite)
            .field("has_ticket", &self.ticket.is_some())
            .finish_non_exhaustive()
    }
}

impl Session12 {
    /// The suite the session was made with.
    pub(crate) fn suite(&self) -> &'static Tls12CipherSuite {
        self.master.suite()
    }

    /// The cipher suite the session was made with, as its code point.
    pub fn cipher_suite(&self) -> CipherSuite {
        self.master.suite().suite
    }

    /// True while the session may still be resumed at `now`.
    pub fn is_fresh(&self, now: u64) -> bool {
        now >= self.created && now - self.created < self.lifetime
    }

    fn encode(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let mut v = Zeroizing::new(Vec::with_capacity(96));
        v.put_u8v(TAG12);
        v.put_u16v(self.suite().suite.get());
        v.put_u8v(u8::from(self.extended_ms));
        v.put_bytes(&self.created.to_be_bytes());
        v.put_bytes(self.master.as_bytes());
        put_sni(&mut v, self.server_name.as_deref())?;
        put_chain(&mut v, &self.peer_certificates)?;
        put_code(&mut v, self.group.map(|g| g.get()));
        put_code(&mut v, self.peer_signature_scheme.map(|s| s.get()));
        Ok(v)
    }

    /// The whole session as bytes, for a [`ServerSessionStore`] or
    /// [`ClientSessionStore`] outside the process. They hold the master
    /// secret: keep them like a key. The OCSP staple and SCT list of the
    /// handshake that made the session are not kept: a resumption from a
    /// stored session reports none.
    pub fn to_bytes(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let mut v = Zeroizing::new(Vec::with_capacity(128));
        put_stored_prefix(
            &mut v,
            self.lifetime,
            &self.session_id,
            self.ticket.as_deref(),
        )?;
        v.extend_from_slice(&self.encode()?);
        Ok(v)
    }

    /// A session from [`Session12::to_bytes`]; None for anything else.
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        let (lifetime, session_id, ticket, rest) = read_stored_prefix(b)?;
        let mut s = Session12::decode(rest, lifetime)?;
        s.session_id = session_id;
        s.ticket = ticket;
        Some(s)
    }

    fn decode(b: &[u8], lifetime: u64) -> Option<Self> {
        let mut r = Reader::new(b);
        if r.u8().ok()? != TAG12 {
            return None;
        }
        let suite = tls12_suite(CipherSuite::from(r.u16().ok()?))?;
        let extended_ms = r.u8().ok()? == 1;
        let created = u64::from_be_bytes(r.take(8).ok()?.try_into().ok()?);
        let master = MasterSecret12::from_bytes(suite, r.take(MASTER_SECRET_LEN).ok()?).ok()?;
        let server_name = read_sni(&mut r)?;
        let peer_certificates = read_chain(&mut r)?;
        let group = read_code(&mut r)?.map(NamedGroup::from);
        let peer_signature_scheme = read_code(&mut r)?.map(SignatureScheme::from);
        r.finish().ok()?;
        Some(Session12 {
            session_id: Vec::new(),
            ticket: None,
            master,
            extended_ms,
            created,
            lifetime,
            peer_certificates,
            server_name,
            group,
            peer_signature_scheme,
            ocsp_response: None,
            sct_list: None,
        })
    }
}

/// The first byte of a stored (not sealed) session, so a store's bytes are
/// never taken for a ticket's plaintext or the other way round.
const STORED: u8 = 0x5e;

/// What a stored session keeps beyond what a ticket seals: the lifetime,
/// the session ID (u8 length) and the ticket (presence byte, u16 length).
fn put_stored_prefix(
    v: &mut Vec<u8>,
    lifetime: u64,
    session_id: &[u8],
    ticket: Option<&[u8]>,
) -> Result<(), Error> {
    let id_len = u8::try_from(session_id.len()).map_err(|_| Error::internal("session ID"))?;
    v.put_u8v(STORED);
    v.put_bytes(&lifetime.to_be_bytes());
    v.put_u8v(id_len);
    v.put_bytes(session_id);
    match ticket {
        Some(t) => {
            let len = u16::try_from(t.len()).map_err(|_| Error::internal("ticket too long"))?;
            v.put_u8v(1);
            v.put_u16v(len);
            v.put_bytes(t);
        }
        None => v.put_u8v(0),
    }
    Ok(())
}

type StoredPrefix<'a> = (u64, Vec<u8>, Option<Vec<u8>>, &'a [u8]);

fn read_stored_prefix(b: &[u8]) -> Option<StoredPrefix<'_>> {
    let mut r = Reader::new(b);
    if r.u8().ok()? != STORED {
        return None;
    }
    let lifetime = u64::from_be_bytes(r.take(8).ok()?.try_into().ok()?);
    let session_id = r.vec8().ok()?.to_vec();
    let ticket = match r.u8().ok()? {
        0 => None,
        1 => Some(r.vec16().ok()?.to_vec()),
        _ => return None,
    };
    Some((lifetime, session_id, ticket, r.rest()))
}

/// The first byte of a sealed session says which version it belongs to, so a
/// TLS 1.2 ticket can never be taken for a TLS 1.3 one.
const TAG12: u8 = 12;
const TAG13: u8 = 13;

/// A resumable TLS 1.3 session: a PSK from a NewSessionTicket.
#[derive(Clone)]
pub struct Session13 {
    /// The suite of the original connection; a resumption must use one
    /// with the same hash ([`cipher_suite`](Self::cipher_suite) names it).
    pub(crate) suite: &'static Tls13CipherSuite,
    /// The pre-shared key (RFC 8446 section 4.6.1); crate-private, as for
    /// [`Session12`]: a store keeps [`to_bytes`](Self::to_bytes).
    pub(crate) psk: Secret,
    /// The ticket (client side).
    pub ticket: Vec<u8>,
    /// ticket_age_add.
    pub age_add: u32,
    /// When it was issued, in seconds since the epoch.
    pub created: u64,
    /// Lifetime in seconds.
    pub lifetime: u64,
    /// The peer's certificates from the original handshake, end entity
    /// first: the server's (client side) or the client's (server side,
    /// empty if it sent none).
    pub peer_certificates: Vec<CertificateDer<'static>>,
    /// The SNI name the session was made under, in lower case (server side).
    pub server_name: Option<String>,
    /// The signature scheme the peer signed the original handshake with
    /// (None for a client that sent no certificate).
    pub peer_signature_scheme: Option<SignatureScheme>,
    /// The OCSP response the server stapled in the original handshake
    /// (client side; never in a ticket), which a resumption reports.
    pub ocsp_response: Option<Vec<u8>>,
    /// The SCT list of the full handshake (client side; never in a ticket).
    pub sct_list: Option<Vec<u8>>,
    /// The most 0-RTT data the ticket allows (its early_data extension,
    /// RFC 8446 section 4.6.1); 0 when it allows none.
    pub max_early_data: u32,
    /// The ALPN protocol of the connection that issued the ticket: 0-RTT
    /// data is only for that protocol (RFC 8446 section 4.2.10).
    pub alpn: Option<Vec<u8>>,
}

impl std::fmt::Debug for Session13 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session13")
            .field("suite", &self.suite.suite)
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl Session13 {
    /// The cipher suite of the original connection, as its code point.
    pub fn cipher_suite(&self) -> CipherSuite {
        self.suite.suite
    }

    /// True while the ticket may still be used at `now`.
    pub fn is_fresh(&self, now: u64) -> bool {
        now >= self.created && now - self.created < self.lifetime
    }

    /// The obfuscated ticket age to send at `now` (RFC 8446 section 4.2.11.1).
    pub fn obfuscated_age(&self, now: u64) -> u32 {
        let ms = now.saturating_sub(self.created).saturating_mul(1000);
        (ms as u32).wrapping_add(self.age_add)
    }

    /// What the server seals into a ticket.
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let mut v = Zeroizing::new(Vec::with_capacity(64));
        v.put_u8v(TAG13);
        v.put_u16v(self.suite.suite.get());
        v.put_bytes(&self.age_add.to_be_bytes());
        v.put_bytes(&self.created.to_be_bytes());
        v.put_u8v(self.psk.len() as u8);
        v.put_bytes(self.psk.as_bytes());
        put_sni(&mut v, self.server_name.as_deref())?;
        put_chain(&mut v, &self.peer_certificates)?;
        put_code(&mut v, self.peer_signature_scheme.map(|s| s.get()));
        v.put_bytes(&self.max_early_data.to_be_bytes());
        put_alpn(&mut v, self.alpn.as_deref())?;
        Ok(v)
    }

    /// The whole session as bytes (the client's view: with its ticket),
    /// for a [`ClientSessionStore`] outside the process. They hold the PSK:
    /// keep them like a key. The OCSP staple and SCT list of the handshake
    /// that made the session are not kept: a resumption from a stored
    /// session reports none.
    pub fn to_bytes(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let mut v = Zeroizing::new(Vec::with_capacity(128 + self.ticket.len()));
        put_stored_prefix(&mut v, self.lifetime, &[], Some(&self.ticket))?;
        v.extend_from_slice(&self.encode()?);
        Ok(v)
    }

    /// A session from [`Session13::to_bytes`]; None for anything else.
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        let (lifetime, _, ticket, rest) = read_stored_prefix(b)?;
        let mut s = Session13::decode(rest, lifetime)?;
        s.ticket = ticket?;
        Some(s)
    }

    fn decode(b: &[u8], lifetime: u64) -> Option<Self> {
        let mut r = Reader::new(b);
        if r.u8().ok()? != TAG13 {
            return None;
        }
        let suite = tls13_suite(CipherSuite::from(r.u16().ok()?))?;
        let age_add = r.u32().ok()?;
        let created = u64::from_be_bytes(r.take(8).ok()?.try_into().ok()?);
        let psk = Secret::from_slice(r.vec8().ok()?);
        let server_name = read_sni(&mut r)?;
        let peer_certificates = read_chain(&mut r)?;
        let peer_signature_scheme = read_code(&mut r)?.map(SignatureScheme::from);
        let max_early_data = r.u32().ok()?;
        let alpn = read_alpn(&mut r)?;
        r.finish().ok()?;
        Some(Session13 {
            suite,
            psk,
            ticket: Vec::new(),
            age_add,
            created,
            lifetime,
            peer_certificates,
            server_name,
            peer_signature_scheme,
            ocsp_response: None,
            sct_list: None,
            max_early_data,
            alpn,
        })
    }
}

/// Where a client's TLS 1.3 connection turns NewSessionTickets into
/// resumable sessions: the cache, the server's name and the resumption
/// master secret. What the session restores on resumption (the chain, the
/// scheme the server signed with, its OCSP response and SCTs, the ALPN
/// protocol 0-RTT data must use) is read from the connection's
/// [`Negotiated`] when a ticket comes, not copied here: a held connection
/// kept those twice (80 bytes inline, plus a stapled response's bytes).
pub(crate) struct TicketSink {
    pub cache: Arc<dyn ClientSessionStore>,
    pub key: String,
    pub suite: &'static Tls13CipherSuite,
    pub resumption_secret: Secret,
    pub time: std::sync::Arc<dyn crate::config::TimeProvider>,
}

impl TicketSink {
    /// Stores the session a NewSessionTicket describes. A lifetime over
    /// seven days is clamped to [`MAX_TICKET_LIFETIME`] (RFC 8446 section
    /// 4.6.1: servers must not announce more, clients must not keep a ticket
    /// longer), not treated as an error; a lifetime of zero means "do not
    /// keep", and a server chain over [`MAX_SESSION_CHAIN_BYTES`] is not kept.
    /// True when the session was kept.
    pub fn store(&self, t: &NewSessionTicket, negotiated: &super::Negotiated) -> bool {
        let peer_certificates = &negotiated.peer_certificates;
        let lifetime = u64::from(t.lifetime).min(MAX_TICKET_LIFETIME);
        if lifetime == 0 || !storable(peer_certificates, None) {
            return false;
        }
        let psk = resumption_psk(self.suite, &self.resumption_secret, &t.nonce);
        self.cache.put13(
            &self.key,
            Session13 {
                suite: self.suite,
                psk,
                ticket: t.ticket.clone(),
                age_add: t.age_add,
                created: self.time.now().as_secs(),
                lifetime,
                peer_certificates: peer_certificates.to_vec(),
                server_name: None,
                peer_signature_scheme: negotiated.peer_signature_scheme,
                ocsp_response: negotiated.ocsp_response.clone(),
                sct_list: negotiated.sct_list.clone(),
                max_early_data: t.max_early_data.unwrap_or(0),
                alpn: negotiated.alpn.clone(),
            },
        );
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::crypto::suites::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 as S;

    fn session(now: u64) -> Session12 {
        Session12 {
            session_id: vec![1; 32],
            ticket: None,
            master: MasterSecret12::from_bytes(&S, &[7; 48]).unwrap(),
            extended_ms: true,
            created: now,
            lifetime: 100,
            peer_certificates: vec![CertificateDer::from(vec![0x30, 1, 2])],
            server_name: Some("example.com".into()),
            group: Some(NamedGroup::X25519),
            peer_signature_scheme: Some(SignatureScheme::RSA_PSS_SHA256),
            ocsp_response: None,
            sct_list: None,
        }
    }

    #[test]
    fn tickets_open_rotate_and_expire() {
        let t = Ticketer::new(100, 1000).unwrap();
        let ticket = t.seal(&session(1000), 1000).unwrap();
        let s = t.open(&ticket, 1010).unwrap();
        assert_eq!(s.master.as_bytes(), &[7; 48]);
        assert!(s.extended_ms);
        assert_eq!(s.peer_certificates, session(0).peer_certificates);
        assert_eq!(s.server_name.as_deref(), Some("example.com"));
        assert_eq!(s.group, Some(NamedGroup::X25519));
        assert_eq!(
            s.peer_signature_scheme,
            Some(SignatureScheme::RSA_PSS_SHA256)
        );
        // Tampered tickets do not open.
        let mut bad = ticket.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(t.open(&bad, 1010).is_none());
        // Expired sessions do not resume, even though the previous key still opens them.
        assert!(t.open(&ticket, 1150).is_none());
        assert!(t.open(&[0; 5], 1000).is_none());
        // A TLS 1.2 ticket is no TLS 1.3 ticket.
        assert!(t.open13(&ticket, 1010).is_none());
        let s13 = Session13 {
            suite: &crate::proto::crypto::suites::TLS13_AES_128_GCM_SHA256,
            psk: Secret::from_slice(&[5; 32]),
            ticket: Vec::new(),
            age_add: 77,
            created: 1000,
            lifetime: 100,
            peer_certificates: vec![CertificateDer::from(vec![9; 300]); 2],
            server_name: None,
            peer_signature_scheme: Some(SignatureScheme::ED25519),
            ocsp_response: None,
            sct_list: None,
            max_early_data: 16384,
            alpn: Some(b"h2".to_vec()),
        };
        let t13 = t.seal13(&s13, 1000).unwrap();
        let back = t.open13(&t13, 1001).unwrap();
        assert_eq!((back.psk.as_bytes(), back.age_add), (&[5u8; 32][..], 77));
        assert_eq!(back.peer_certificates, s13.peer_certificates);
        assert_eq!(back.server_name, None);
        assert_eq!(back.peer_signature_scheme, Some(SignatureScheme::ED25519));
        assert_eq!(
            (back.max_early_data, back.alpn.as_deref()),
            (16384, Some(&b"h2"[..]))
        );
        assert!(t.open(&t13, 1001).is_none());
    }

    #[test]
    fn stored_sessions_round_trip_and_refuse_junk() {
        let mut s = session(1000);
        s.ticket = Some(vec![9; 300]);
        let b = s.to_bytes().unwrap();
        let back = Session12::from_bytes(&b).unwrap();
        assert_eq!(back.session_id, s.session_id);
        assert_eq!(back.ticket, s.ticket);
        assert_eq!((back.lifetime, back.created), (100, 1000));
        assert_eq!(back.master.as_bytes(), s.master.as_bytes());
        assert!(Session13::from_bytes(&b).is_none());
        let s13 = Session13 {
            suite: &crate::proto::crypto::suites::TLS13_AES_128_GCM_SHA256,
            psk: Secret::from_slice(&[5; 32]),
            ticket: vec![1, 2, 3],
            age_add: 77,
            created: 1000,
            lifetime: 600,
            peer_certificates: vec![CertificateDer::from(vec![9; 30])],
            server_name: None,
            peer_signature_scheme: None,
            max_early_data: 1024,
            alpn: Some(b"h2".to_vec()),
            ocsp_response: None,
            sct_list: None,
        };
        let b13 = s13.to_bytes().unwrap();
        let back = Session13::from_bytes(&b13).unwrap();
        assert_eq!(
            (back.ticket.as_slice(), back.lifetime),
            (&[1u8, 2, 3][..], 600)
        );
        assert_eq!(back.psk.as_bytes(), &[5; 32]);
        assert_eq!(
            (back.max_early_data, back.alpn),
            (1024, Some(b"h2".to_vec()))
        );
        assert!(Session12::from_bytes(&b13).is_none());
        // Truncations and junk are refused, never a panic.
        for cut in 0..b.len() {
            assert!(Session12::from_bytes(&b[..cut]).is_none(), "cut {cut}");
        }
        for cut in 0..b13.len() {
            assert!(Session13::from_bytes(&b13[..cut]).is_none(), "cut {cut}");
        }
        assert!(Session12::from_bytes(&[0x5e, 0xff, 0xff]).is_none());
    }

    #[test]
    fn server_cache_is_bounded() {
        let c = ServerSessionCache::new(2);
        for i in 0..5u8 {
            let mut s = session(0);
            s.session_id = vec![i; 32];
            c.put(s);
        }
        assert!(c.get(&[0; 32]).is_none());
        assert!(c.get(&[4; 32]).is_some());
    }
}
