//! TLS 1.3 and TLS 1.2 handshake state machines. Each state is a struct holding what that
//! state needs; handling a message consumes it and yields the next state, so
//! secrets and the transcript only ever move forward.

pub mod client12;
pub mod client13;
pub mod early_data;
pub mod resume;
pub mod server12;
pub mod server13;
pub mod transcript;

use rustls_pki_types::CertificateDer;

use crate::proto::handshake::early_data::EarlyDataReason;
use crate::proto::wire::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};

/// What a handshake negotiated.
#[derive(Clone, Debug, Default)]
pub struct Negotiated {
    /// The protocol version.
    pub version: Option<ProtocolVersion>,
    /// The cipher suite.
    pub cipher_suite: Option<CipherSuite>,
    /// The key-exchange group. A TLS 1.2 resumption runs no key exchange and
    /// reports the group of the handshake that made the session (as
    /// BoringSSL does); a TLS 1.3 resumption reports its fresh (EC)DHE group.
    pub group: Option<NamedGroup>,
    /// The ALPN protocol, if one was agreed.
    pub alpn: Option<Vec<u8>>,
    /// The SNI name the client sent (server side) or asked for (client side).
    pub sni: Option<String>,
    /// The peer's certificate chain, end entity first; after a resumption,
    /// the chain of the handshake that made the session.
    pub peer_certificates: Vec<CertificateDer<'static>>,
    /// True when a HelloRetryRequest was part of the handshake.
    pub retried: bool,
    /// True when a previous session was resumed: a TLS 1.2 abbreviated
    /// handshake (session ID or ticket) or a TLS 1.3 PSK handshake with a
    /// ticket. Then `peer_certificates` is the chain verified when the
    /// session was made (see [`crate::docs::resumption`] for what is checked again).
    pub resumed: bool,
    /// The signature scheme the peer signed the handshake with, if it did:
    /// the server's ServerKeyExchange or CertificateVerify on the client, the
    /// client's CertificateVerify on the server. After a resumption, the
    /// scheme of the handshake that made the session.
    pub peer_signature_scheme: Option<SignatureScheme>,
    /// True when the session's master secret is bound to its handshake: a
    /// TLS 1.2 handshake with the extended master secret (RFC 7627), and
    /// every TLS 1.3 handshake (whose key schedule always is). A TLS 1.2
    /// session without it is never resumed (see [`crate::docs::resumption`]).
    pub extended_master_secret: bool,
    /// 0-RTT: the client offered early data (server side), or we sent some
    /// (client side).
    pub early_data_offered: bool,
    /// What became of 0-RTT data, and why: [`EarlyDataReason::Accepted`]
    /// when the server took it (see [`crate::docs::early_data`]).
    pub early_data: EarlyDataReason,
    /// Server side, TLS 1.3 resumption: how many seconds older the client
    /// thinks the ticket is than we do (RFC 8446 section 8.3; negative when
    /// it thinks it younger). 0-RTT is refused beyond the anti-replay window.
    pub ticket_age_skew: Option<i64>,
    /// Client side: early data the server did not accept went out again
    /// after the handshake, as ordinary 1-RTT data.
    pub early_data_resent: bool,
    /// Server side, TLS 1.2: the session this full handshake made was kept
    /// in the server's session cache under the session ID its ServerHello
    /// carried, so a client may resume it by that ID. False when a session
    /// ticket was issued instead (the ServerHello then carries an empty
    /// session ID, and the ticket alone resumes it), for a session that is
    /// never resumable, in TLS 1.3 (tickets only), on a resumption and on
    /// the client.
    pub session_id_cached: bool,
    /// Server side: the ALPN protocols the client offered, in its order of
    /// preference (empty when it offered none), whichever was chosen. On
    /// the client this is empty.
    pub peer_alpn: Vec<Vec<u8>>,
    /// Client side: this connection stored a session for a later
    /// resumption. In TLS 1.2 when the handshake ends (a session ID or a
    /// ticket; on a resumption, only a ticket the server renewed); in TLS
    /// 1.3 once a NewSessionTicket was kept, so it can turn true after the
    /// handshake, as tickets arrive. False on the server.
    pub session_stored: bool,
    /// The DER OCSP response the server stapled, as received (client side,
    /// when [`with_ocsp_stapling`](crate::config::ClientConfigBuilder::with_ocsp_stapling)
    /// asked and the server answered; verified as the policy says). After a
    /// resumption, the response of the handshake that made the session.
    pub ocsp_response: Option<Vec<u8>>,
    /// The SignedCertificateTimestampList the server sent (client side, when
    /// [`with_signed_certificate_timestamps`](crate::config::ClientConfigBuilder::with_signed_certificate_timestamps)
    /// asked; checked to be well formed, not verified). After a resumption,
    /// the list of the handshake that made the session.
    pub sct_list: Option<Vec<u8>>,
}
