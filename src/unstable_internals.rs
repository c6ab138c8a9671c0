//! For lctls's own tests, fuzz targets, benches and BoGo shim only: no
//! stability promise of any kind, not for applications. Anything here may
//! change or go away in any release; the public API is the rest of the
//! crate ([`crate::proto::Connection`] for driving TLS over your own IO).
//!
//! It re-exports exactly the crate-private pieces those harnesses need to
//! do what no public API should let an application do:
//! - craft hostile or hand-made peer bytes: the message types and their
//!   encoders and decoders ([`ClientHello`], [`HandshakeMessage`],
//!   [`Handshake12`], the extension types, [`Reader`] and the
//!   length-prefix helpers), the record codec and layer
//!   ([`RecordCodec`], [`RecordLayer`], [`encode_header`]) and the record
//!   limits, and the wire-only code points ([`ContentType`],
//!   [`HandshakeType`], [`ExtensionType`]);
//! - play a peer's key schedule to forge a protected flight, and check
//!   the TLS 1.3 key schedule against RFC 8448's known answers
//!   ([`EarlySecret`] to [`TrafficSecret`], [`hkdf_expand_label`],
//!   [`derive_secret`], [`Transcript`], [`KeyExchange`], the suites, and
//!   the TLS 1.2 [`MasterSecret12`]). These types' byte accessors
//!   (`as_bytes`, `secret_bytes`) are reachable from outside the crate
//!   only through here, because a known-answer test has to compare a
//!   derived secret with the RFC's bytes; no public type hands one out;
//! - open and seal tickets directly ([`Ticketer`], the `ticket` fuzz
//!   target) and, in fuzz builds, the fixed randomness (`rng`).
#![allow(missing_docs)]

pub use crate::proto::crypto::kx::KeyExchange;
#[cfg(fuzzing)]
pub use crate::proto::crypto::rng;
pub use crate::proto::crypto::suites::{
    tls13_suite, Tls13CipherSuite, TLS13_AES_128_GCM_SHA256,
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
};
pub use crate::proto::handshake::resume::Ticketer;
pub use crate::proto::handshake::transcript::Transcript;
pub use crate::proto::keys::tls12::MasterSecret12;
pub use crate::proto::keys::tls13::{
    derive_secret, hkdf_expand_label, resumption_psk, EarlySecret, HandshakeSecret, MasterSecret,
    TrafficSecret,
};
pub use crate::proto::record::codec::encode_header;
pub use crate::proto::record::{
    OpaqueRecord, RecordCodec, RecordLayer, HEADER_LEN, MAX_CIPHERTEXT, MAX_PLAINTEXT,
};
pub use crate::proto::wire::certificate::{CertificateMsg, CertificateRequest, CertificateVerify};
pub use crate::proto::wire::enums::{ContentType, ExtensionType, HandshakeType};
pub use crate::proto::wire::extensions::{
    ClientExtensions, EncryptedExtensions, KeyShareEntry, PskIdentity, PskOffer,
    ServerHelloExtensions,
};
pub use crate::proto::wire::handshake::{HandshakeMessage, NewSessionTicket, MAX_CLIENT_HELLO};
pub use crate::proto::wire::hello::{
    ClientHello, ServerHello, DOWNGRADE_TLS11, DOWNGRADE_TLS12, HRR_RANDOM,
};
pub use crate::proto::wire::reader::{put_len_prefixed, put_vec, LenPrefix, Put, Reader};
pub use crate::proto::wire::tls12::Handshake12;
