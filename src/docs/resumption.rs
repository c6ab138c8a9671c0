//! Session resumption: what a session remembers of the peer, which TLS 1.2
//! sessions are resumable, and what is checked again when one is resumed
//! (the session caches are [`ClientSessionCache`](crate::config::ClientSessionCache)
//! and [`ServerSessionCache`](crate::config::ServerSessionCache), tickets are
//! turned on by [`with_tickets`](crate::config::ServerConfigBuilder::with_tickets)).
//!
//! # Who the peer was
//!
//! A session remembers the peer's certificate chain as it was verified in
//! the full handshake (the client's chain on the server, the server's chain
//! on the client), the signature scheme the peer signed that handshake with
//! and the SNI name it was made under; a resumed connection reports that
//! chain and scheme as its peer certificates and peer signature scheme (a
//! resumption signs nothing). A TLS 1.2 session also keeps its key-exchange
//! group, which a TLS 1.2 resumption (no key exchange) reports, as BoringSSL
//! does; a TLS 1.3 resumption runs a fresh (EC)DHE and reports that group.
//!
//! A chain longer than [`MAX_SESSION_CHAIN_BYTES`](crate::config::MAX_SESSION_CHAIN_BYTES) (or an SNI name longer
//! than 255 bytes) is not kept: then no session is stored
//! and no ticket issued (a TLS 1.2 server that already acknowledged the
//! ticket extension sends an empty one, RFC 5077 section 3.3), so such
//! peers always do full handshakes. This bounds both the ticket size and
//! the memory of the session caches.
//!
//! # Extended master secret
//!
//! Only TLS 1.2 sessions made with the extended master secret (RFC 7627)
//! are resumable: without it, a session's master secret is not bound to its
//! handshake (the triple-handshake attack), so a server issues no session
//! ID and no ticket for it and a client does not keep it. A ClientHello
//! that offers an extended-master-secret session without the extension is
//! refused with handshake_failure (RFC 7627 section 5.3: the server "MUST
//! abort"), and so is a server that resumes one without it.
//!
//! # What is checked again on resumption
//!
//! Resumption skips the Certificate messages, so before a stored session is
//! used (and otherwise a full handshake runs instead; apart from the
//! extended master secret rule above, resumption never fails a connection):
//! * the server requires the SNI name to be the one the session was made
//!   under (ASCII case-insensitively; both absent counts as equal), in TLS
//!   1.2 as RFC 6066 section 3 says and in TLS 1.3 too;
//! * a server resumes a session without a client certificate only when its
//!   client verifier, if any, does not make client certificates mandatory,
//!   and a session with a client certificate only when it still has a
//!   client verifier and that verifier's
//!   [`recheck_resumed`](crate::pki::ClientCertVerifier::recheck_resumed)
//!   accepts the stored chain at the current time;
//! * a client offers a session only when its verifier's
//!   [`recheck_resumed`](crate::pki::ServerCertVerifier::recheck_resumed)
//!   accepts the stored server chain.
//!
//! The default verifiers' `recheck_resumed` checks the validity period of
//! every stored certificate against the configuration's time provider and,
//! when they have CRLs, verifies the chain again including revocation. Other
//! policy changes (new roots, a different server certificate) are not
//! detected; rotate the ticket keys (a new configuration) for those.
