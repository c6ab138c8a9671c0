//! The TLS 1.3 key schedule (RFC 8446 section 7).
//!
//! ```text
//!              0
//!              |
//!   PSK ->  HKDF-Extract = Early Secret          (EarlySecret)
//!              |  Derive-Secret(., "derived", "")
//!   (EC)DHE -> HKDF-Extract = Handshake Secret   (HandshakeSecret)
//!              |  Derive-Secret(., "derived", "")
//!   0 ->    HKDF-Extract = Master Secret         (MasterSecret)
//! ```
//!
//! Each stage is its own type and is consumed by the step to the next one,
//! so a traffic secret can only be derived from the stage it belongs to.
//! Every secret is held in a [`Secret`] (or [`Iv`]), which zeroes its bytes
//! on drop and never prints them.

use std::fmt;

use aws_lc_rs::{digest, hkdf, hmac};

use crate::error::Error;
use crate::proto::crypto::suites::Tls13CipherSuite;
use crate::proto::wire::enums::AlertDescription;

pub use super::secret::{Iv, Secret};

/// The prefix RFC 8446 puts before every HKDF label.
const LABEL_PREFIX: &[u8] = b"tls13 ";

/// Longest label accepted by [`hkdf_expand_label`]: `HkdfLabel.label` is
/// `opaque label<7..255>` and includes the `"tls13 "` prefix.
pub const MAX_LABEL_LEN: usize = 255 - LABEL_PREFIX.len();

/// Longest context accepted by [`hkdf_expand_label`] (`opaque context<0..255>`).
pub const MAX_CONTEXT_LEN: usize = 255;

/// An output length for `hkdf::Prk::expand`, which wants a `KeyType`.
struct OutLen(usize);

impl hkdf::KeyType for OutLen {
    fn len(&self) -> usize {
        self.0
    }
}

/// Why an HKDF-Expand-Label request cannot be served.
fn check_expand_label(
    suite: &Tls13CipherSuite,
    label: &[u8],
    context: &[u8],
    out_len: usize,
) -> Result<(), &'static str> {
    if label.len() > MAX_LABEL_LEN {
        return Err("HKDF label longer than 249 bytes");
    }
    if context.len() > MAX_CONTEXT_LEN {
        return Err("HKDF context longer than 255 bytes");
    }
    if out_len > usize::from(u16::MAX) || out_len > 255 * suite.hash_len() {
        return Err("HKDF output longer than 255 hash lengths or 65535 bytes");
    }
    Ok(())
}

/// HKDF-Expand-Label without the checks (the caller has done them).
fn expand_label_unchecked(
    suite: &Tls13CipherSuite,
    secret: &[u8],
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) {
    // struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } HkdfLabel;
    // The lengths fit: check_expand_label bounded them.
    let length = (out.len() as u16).to_be_bytes();
    let label_len = [(LABEL_PREFIX.len() + label.len()) as u8];
    let context_len = [context.len() as u8];
    let info: [&[u8]; 6] = [
        &length,
        &label_len,
        LABEL_PREFIX,
        label,
        &context_len,
        context,
    ];
    let prk = hkdf::Prk::new_less_safe(suite.hkdf, secret);
    prk.expand(&info, OutLen(out.len()))
        .and_then(|okm| okm.fill(out))
        .expect("HKDF-Expand with a checked output length cannot fail");
}

/// HKDF-Expand-Label(secret, label, context, out.len()) of RFC 8446
/// section 7.1, written into `out`. The `"tls13 "` prefix is added here:
/// pass the bare label, e.g. `b"key"`.
///
/// A `label` longer than `MAX_LABEL_LEN` (249), a `context` longer than
/// `MAX_CONTEXT_LEN` (255) or an `out` longer than 255 hash lengths (or 65,535
/// bytes) is an [`Error::Config`], and `out` is left untouched.
pub fn hkdf_expand_label(
    suite: &Tls13CipherSuite,
    secret: &[u8],
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) -> Result<(), Error> {
    check_expand_label(suite, label, context, out.len())
        .map_err(|why| Error::Config(format!("hkdf_expand_label: {why}")))?;
    expand_label_unchecked(suite, secret, label, context, out);
    Ok(())
}

/// [`hkdf_expand_label`] for the key schedule's own requests, whose labels
/// are constants and whose contexts are hashes: a failed check is a bug in
/// this crate, never a peer's doing.
fn expand_label(
    suite: &Tls13CipherSuite,
    secret: &[u8],
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) {
    if let Err(why) = check_expand_label(suite, label, context, out.len()) {
        unreachable!("key schedule request out of bounds: {why}");
    }
    expand_label_unchecked(suite, secret, label, context, out);
}

/// HKDF-Expand-Label into a new hash-length [`Secret`].
fn expand_label_secret(
    suite: &Tls13CipherSuite,
    secret: &[u8],
    label: &[u8],
    context: &[u8],
) -> Secret {
    let mut out = Secret::zeroed(suite.hash_len());
    expand_label(suite, secret, label, context, out.as_mut_bytes());
    out
}

/// Derive-Secret(secret, label, messages) of RFC 8446 section 7.1, given
/// `transcript_hash` = Transcript-Hash(messages) (for an empty transcript,
/// the hash of the empty string).
pub fn derive_secret(
    suite: &Tls13CipherSuite,
    secret: &[u8],
    label: &[u8],
    transcript_hash: &[u8],
) -> Secret {
    debug_assert_eq!(transcript_hash.len(), suite.hash_len());
    expand_label_secret(suite, secret, label, transcript_hash)
}

/// HKDF-Extract(salt, ikm) = HMAC-Hash(salt, ikm) (RFC 5869 section 2.2),
/// computed with HMAC so the pseudorandom key comes back as bytes that can
/// be kept in a [`Secret`] (and logged or tested).
fn hkdf_extract(suite: &Tls13CipherSuite, salt: &[u8], ikm: &[u8]) -> Secret {
    let key = hmac::Key::new(suite.hmac, salt);
    let mut out = Secret::zeroed(suite.hash_len());
    hmac::sign_to_buffer(&key, ikm, out.as_mut_bytes())
        .expect("the HMAC output buffer is exactly the hash length");
    out
}

/// Hash of the empty string with the suite's hash.
fn empty_hash(suite: &Tls13CipherSuite) -> digest::Digest {
    digest::digest(suite.hash, &[])
}

/// The next stage's salt: Derive-Secret(secret, "derived", "").
fn derived(suite: &Tls13CipherSuite, secret: &Secret) -> Secret {
    derive_secret(
        suite,
        secret.as_bytes(),
        b"derived",
        empty_hash(suite).as_ref(),
    )
}

/// A finished key: HKDF-Expand-Label(base_key, "finished", "", Hash.length),
/// as an HMAC key. Used for Finished and PSK binders.
fn finished_key(suite: &Tls13CipherSuite, base_key: &Secret) -> hmac::Key {
    let fk = expand_label_secret(suite, base_key.as_bytes(), b"finished", &[]);
    hmac::Key::new(suite.hmac, fk.as_bytes())
}

/// Constant-time check of a received Finished-style MAC.
fn verify_mac(
    suite: &Tls13CipherSuite,
    base_key: &Secret,
    transcript_hash: &[u8],
    received: &[u8],
    what: &str,
) -> Result<(), Error> {
    hmac::verify(&finished_key(suite, base_key), transcript_hash, received).map_err(|_| {
        Error::protocol(
            AlertDescription::DecryptError,
            format!("{what} did not verify: wrong keys or a tampered handshake"),
        )
    })
}

macro_rules! redacted_debug {
    ($ty:ident) => {
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("suite", &self.suite.suite)
                    .field("secret", &self.secret)
                    .finish()
            }
        }
    };
}

/// The first stage: Early Secret = HKDF-Extract(0, PSK).
pub struct EarlySecret {
    suite: &'static Tls13CipherSuite,
    secret: Secret,
}

redacted_debug!(EarlySecret);

impl EarlySecret {
    /// Starts the key schedule. `psk` is the pre-shared key (a resumption
    /// PSK from [`resumption_psk`] or an external one); `None` means a full
    /// handshake, where the PSK is a string of Hash.length zeros.
    pub fn new(suite: &'static Tls13CipherSuite, psk: Option<&[u8]>) -> Self {
        let zeros = Secret::zeroed(suite.hash_len());
        let salt = Secret::zeroed(suite.hash_len());
        let ikm = psk.unwrap_or(zeros.as_bytes());
        Self {
            suite,
            secret: hkdf_extract(suite, salt.as_bytes(), ikm),
        }
    }

    /// The cipher suite this schedule runs under.
    pub fn suite(&self) -> &'static Tls13CipherSuite {
        self.suite
    }

    /// The Early Secret itself, for known-answer tests only.
    pub fn as_bytes(&self) -> &[u8] {
        self.secret.as_bytes()
    }

    /// binder_key for a resumption PSK: Derive-Secret(., "res binder", "").
    pub fn resumption_binder_key(&self) -> BinderKey {
        self.binder_key(b"res binder")
    }

    /// binder_key for an external PSK: Derive-Secret(., "ext binder", "").
    pub fn external_binder_key(&self) -> BinderKey {
        self.binder_key(b"ext binder")
    }

    fn binder_key(&self, label: &[u8]) -> BinderKey {
        BinderKey {
            suite: self.suite,
            secret: derive_secret(
                self.suite,
                self.secret.as_bytes(),
                label,
                empty_hash(self.suite).as_ref(),
            ),
        }
    }

    /// client_early_traffic_secret: Derive-Secret(., "c e traffic",
    /// ClientHello), for 0-RTT data.
    pub fn client_early_traffic_secret(&self, client_hello_hash: &[u8]) -> TrafficSecret {
        TrafficSecret {
            suite: self.suite,
            secret: derive_secret(
                self.suite,
                self.secret.as_bytes(),
                b"c e traffic",
                client_hello_hash,
            ),
        }
    }

    /// early_exporter_master_secret: Derive-Secret(., "e exp master",
    /// ClientHello).
    pub fn early_exporter_master_secret(&self, client_hello_hash: &[u8]) -> Secret {
        derive_secret(
            self.suite,
            self.secret.as_bytes(),
            b"e exp master",
            client_hello_hash,
        )
    }

    /// Handshake Secret = HKDF-Extract(Derive-Secret(., "derived", ""),
    /// (EC)DHE shared secret).
    pub fn into_handshake(self, shared_secret: &[u8]) -> HandshakeSecret {
        let salt = derived(self.suite, &self.secret);
        HandshakeSecret {
            suite: self.suite,
            secret: hkdf_extract(self.suite, salt.as_bytes(), shared_secret),
        }
    }
}

/// The second stage: the Handshake Secret.
pub struct HandshakeSecret {
    suite: &'static Tls13CipherSuite,
    secret: Secret,
}

redacted_debug!(HandshakeSecret);

impl HandshakeSecret {
    /// The cipher suite this schedule runs under.
    pub fn suite(&self) -> &'static Tls13CipherSuite {
        self.suite
    }

    /// The Handshake Secret itself, for known-answer tests only.
    pub fn as_bytes(&self) -> &[u8] {
        self.secret.as_bytes()
    }

    /// client_handshake_traffic_secret: Derive-Secret(., "c hs traffic",
    /// ClientHello...ServerHello).
    pub fn client_handshake_traffic_secret(&self, hello_hash: &[u8]) -> TrafficSecret {
        self.traffic(b"c hs traffic", hello_hash)
    }

    /// server_handshake_traffic_secret: Derive-Secret(., "s hs traffic",
    /// ClientHello...ServerHello).
    pub fn server_handshake_traffic_secret(&self, hello_hash: &[u8]) -> TrafficSecret {
        self.traffic(b"s hs traffic", hello_hash)
    }

    fn traffic(&self, label: &[u8], hash: &[u8]) -> TrafficSecret {
        TrafficSecret {
            suite: self.suite,
            secret: derive_secret(self.suite, self.secret.as_bytes(), label, hash),
        }
    }

    /// Master Secret = HKDF-Extract(Derive-Secret(., "derived", ""), 0).
    pub fn into_master(self) -> MasterSecret {
        let salt = derived(self.suite, &self.secret);
        let zeros = Secret::zeroed(self.suite.hash_len());
        MasterSecret {
            suite: self.suite,
            secret: hkdf_extract(self.suite, salt.as_bytes(), zeros.as_bytes()),
        }
    }
}

/// The last stage: the Master Secret.
pub struct MasterSecret {
    suite: &'static Tls13CipherSuite,
    secret: Secret,
}

redacted_debug!(MasterSecret);

impl MasterSecret {
    /// The cipher suite this schedule runs under.
    pub fn suite(&self) -> &'static Tls13CipherSuite {
        self.suite
    }

    /// The Master Secret itself, for known-answer tests only.
    pub fn as_bytes(&self) -> &[u8] {
        self.secret.as_bytes()
    }

    fn derive(&self, label: &[u8], hash: &[u8]) -> Secret {
        derive_secret(self.suite, self.secret.as_bytes(), label, hash)
    }

    /// client_application_traffic_secret_0: Derive-Secret(., "c ap traffic",
    /// ClientHello...server Finished).
    pub fn client_application_traffic_secret_0(&self, hash: &[u8]) -> TrafficSecret {
        TrafficSecret {
            suite: self.suite,
            secret: self.derive(b"c ap traffic", hash),
        }
    }

    /// server_application_traffic_secret_0: Derive-Secret(., "s ap traffic",
    /// ClientHello...server Finished).
    pub fn server_application_traffic_secret_0(&self, hash: &[u8]) -> TrafficSecret {
        TrafficSecret {
            suite: self.suite,
            secret: self.derive(b"s ap traffic", hash),
        }
    }

    /// exporter_master_secret: Derive-Secret(., "exp master",
    /// ClientHello...server Finished). Feed it to [`export_keying_material`].
    pub fn exporter_master_secret(&self, hash: &[u8]) -> Secret {
        self.derive(b"exp master", hash)
    }

    /// resumption_master_secret: Derive-Secret(., "res master",
    /// ClientHello...client Finished). Feed it to [`resumption_psk`].
    pub fn resumption_master_secret(&self, hash: &[u8]) -> Secret {
        self.derive(b"res master", hash)
    }
}

/// A traffic secret: handshake, application (any generation) or early.
#[derive(Clone)]
pub struct TrafficSecret {
    suite: &'static Tls13CipherSuite,
    secret: Secret,
}

redacted_debug!(TrafficSecret);

impl TrafficSecret {
    /// The cipher suite this secret belongs to.
    pub fn suite(&self) -> &'static Tls13CipherSuite {
        self.suite
    }

    /// The record-protection key and IV (RFC 8446 section 7.3):
    /// HKDF-Expand-Label(., "key", "", key_length) and
    /// HKDF-Expand-Label(., "iv", "", 12).
    pub fn keys(&self) -> TrafficKeys {
        let mut key = Secret::zeroed(self.suite.key_len());
        expand_label(
            self.suite,
            self.secret.as_bytes(),
            b"key",
            &[],
            key.as_mut_bytes(),
        );
        let mut iv = Iv::zeroed();
        expand_label(
            self.suite,
            self.secret.as_bytes(),
            b"iv",
            &[],
            iv.as_mut_bytes(),
        );
        TrafficKeys { key, iv }
    }

    /// The next generation after a KeyUpdate (RFC 8446 section 7.2):
    /// HKDF-Expand-Label(., "traffic upd", "", Hash.length).
    pub fn next(&self) -> TrafficSecret {
        TrafficSecret {
            suite: self.suite,
            secret: expand_label_secret(self.suite, self.secret.as_bytes(), b"traffic upd", &[]),
        }
    }

    /// Finished.verify_data (RFC 8446 section 4.4.4):
    /// HMAC(finished_key, transcript_hash), where finished_key =
    /// HKDF-Expand-Label(., "finished", "", Hash.length).
    pub fn finished_verify_data(&self, transcript_hash: &[u8]) -> Vec<u8> {
        hmac::sign(&finished_key(self.suite, &self.secret), transcript_hash)
            .as_ref()
            .to_vec()
    }

    /// Checks a received Finished.verify_data in constant time.
    ///
    /// # Errors
    ///
    /// A protocol error with the decode_error alert if it is not
    /// Hash.length bytes long, and with decrypt_error if it does not match.
    pub fn verify_finished(&self, transcript_hash: &[u8], received: &[u8]) -> Result<(), Error> {
        // RFC 8446 section 4.4.4 defines `opaque verify_data[Hash.length]`, a
        // fixed length: a body of another length is a message whose "length
        // ... was incorrect", which section 6.2 calls decode_error. Only a
        // well-formed Finished with the wrong contents is decrypt_error
        // ("if incorrect MUST terminate the connection with a
        // "decrypt_error" alert"). The length is public, so checking it
        // first leaks nothing.
        if received.len() != self.suite.hash_len() {
            return Err(Error::decode(format!(
                "Finished of {} bytes; the suite's hash gives {}",
                received.len(),
                self.suite.hash_len()
            )));
        }
        verify_mac(
            self.suite,
            &self.secret,
            transcript_hash,
            received,
            "the peer's Finished message",
        )
    }

    /// The traffic secret bytes, for key logging (`SSLKEYLOGFILE`) only.
    pub fn secret_bytes(&self) -> &[u8] {
        self.secret.as_bytes()
    }
}

/// The key and IV protecting one direction of records under one traffic
/// secret. Both are zeroed on drop; `Debug` prints neither.
pub struct TrafficKeys {
    /// The AEAD key, `suite.key_len()` bytes.
    pub key: Secret,
    /// The static IV the per-record nonce is derived from.
    pub iv: Iv,
}

impl fmt::Debug for TrafficKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TrafficKeys(..redacted..)")
    }
}

/// A PSK binder_key (RFC 8446 sections 4.2.11.2 and 7.1).
pub struct BinderKey {
    suite: &'static Tls13CipherSuite,
    secret: Secret,
}

redacted_debug!(BinderKey);

impl BinderKey {
    /// The binder value: HMAC(finished_key, Transcript-Hash(truncated
    /// ClientHello)), computed like Finished but from binder_key.
    pub fn binder(&self, partial_hello_hash: &[u8]) -> Vec<u8> {
        hmac::sign(&finished_key(self.suite, &self.secret), partial_hello_hash)
            .as_ref()
            .to_vec()
    }

    /// Checks a received binder in constant time.
    ///
    /// # Errors
    ///
    /// A protocol error with the decrypt_error alert if it does not match.
    pub fn verify_binder(&self, partial_hello_hash: &[u8], received: &[u8]) -> Result<(), Error> {
        verify_mac(
            self.suite,
            &self.secret,
            partial_hello_hash,
            received,
            "the PSK binder",
        )
    }
}

/// The PSK for a ticket (RFC 8446 section 4.6.1):
/// HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce,
/// Hash.length).
///
/// # Panics
///
/// If `ticket_nonce` is longer than 255 bytes, which the wire format
/// (`opaque ticket_nonce<0..255>`) rules out.
pub fn resumption_psk(
    suite: &Tls13CipherSuite,
    resumption_master_secret: &Secret,
    ticket_nonce: &[u8],
) -> Secret {
    expand_label_secret(
        suite,
        resumption_master_secret.as_bytes(),
        b"resumption",
        ticket_nonce,
    )
}

/// Keying material exporter (RFC 8446 section 7.5, RFC 5705):
///
/// ```text
/// TLS-Exporter(label, context_value, key_length) =
///     HKDF-Expand-Label(Derive-Secret(exporter_master_secret, label, ""),
///                       "exporter", Hash(context_value), key_length)
/// ```
///
/// `out.len()` is key_length. As RFC 8446 specifies, no context and an
/// empty context give the same output. An empty label is allowed: neither
/// RFC 8446 section 7.5 nor RFC 5705 forbids one, and OpenSSL, BoringSSL
/// and rustls all accept it (HkdfLabel's label is "tls13 " + label, never
/// empty).
///
/// # Errors
///
/// [`Error::Config`] if `label` is longer than [`MAX_LABEL_LEN`], or if
/// `out` is longer than 255 hash lengths; `out` is left untouched.
pub fn export_keying_material(
    suite: &Tls13CipherSuite,
    exporter_master_secret: &Secret,
    label: &[u8],
    context: Option<&[u8]>,
    out: &mut [u8],
) -> Result<(), Error> {
    let context_hash = digest::digest(suite.hash, context.unwrap_or(&[]));
    check_expand_label(suite, label, context_hash.as_ref(), out.len())
        .map_err(|why| Error::Config(format!("keying material exporter: {why}")))?;
    let per_label = derive_secret(
        suite,
        exporter_master_secret.as_bytes(),
        label,
        empty_hash(suite).as_ref(),
    );
    expand_label_unchecked(
        suite,
        per_label.as_bytes(),
        b"exporter",
        context_hash.as_ref(),
        out,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::crypto::suites::{
        TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384, TLS13_CHACHA20_POLY1305_SHA256,
    };
    use crate::proto::keys::secret::IV_LEN;

    fn hash(suite: &Tls13CipherSuite, data: &[u8]) -> Vec<u8> {
        digest::digest(suite.hash, data).as_ref().to_vec()
    }

    fn schedule(suite: &'static Tls13CipherSuite) -> MasterSecret {
        EarlySecret::new(suite, None)
            .into_handshake(&[7u8; 32])
            .into_master()
    }

    #[test]
    fn lengths_follow_the_suite() {
        for suite in [
            &TLS13_AES_128_GCM_SHA256,
            &TLS13_AES_256_GCM_SHA384,
            &TLS13_CHACHA20_POLY1305_SHA256,
        ] {
            let h = hash(suite, b"transcript");
            let ms = schedule(suite);
            assert_eq!(ms.as_bytes().len(), suite.hash_len());
            let ts = ms.client_application_traffic_secret_0(&h);
            assert_eq!(ts.secret_bytes().len(), suite.hash_len());
            assert_eq!(ts.next().secret_bytes().len(), suite.hash_len());
            let keys = ts.keys();
            assert_eq!(keys.key.len(), suite.key_len());
            assert_eq!(keys.iv.as_bytes().len(), IV_LEN);
            assert_eq!(ts.finished_verify_data(&h).len(), suite.hash_len());
        }
    }

    #[test]
    fn next_is_deterministic_and_moves_on() {
        let suite = &TLS13_AES_128_GCM_SHA256;
        let h = hash(suite, b"ch..sf");
        let ts = schedule(suite).server_application_traffic_secret_0(&h);
        let a1 = ts.next();
        let a1_again = schedule(suite)
            .server_application_traffic_secret_0(&h)
            .next();
        assert_eq!(a1.secret_bytes(), a1_again.secret_bytes());
        assert_ne!(a1.secret_bytes(), ts.secret_bytes());
        let a2 = a1.next();
        assert_ne!(a2.secret_bytes(), a1.secret_bytes());
        assert_ne!(a2.secret_bytes(), ts.secret_bytes());
        assert_eq!(a2.secret_bytes(), a1_again.next().secret_bytes());
        // next() is HKDF-Expand-Label(., "traffic upd", "", Hash.length).
        let mut manual = [0u8; 32];
        hkdf_expand_label(suite, ts.secret_bytes(), b"traffic upd", &[], &mut manual).unwrap();
        assert_eq!(a1.secret_bytes(), &manual);
        // And the keys change with it.
        assert_ne!(ts.keys().key.as_bytes(), a1.keys().key.as_bytes());
        assert_ne!(ts.keys().iv.as_bytes(), a1.keys().iv.as_bytes());
    }

    #[test]
    fn exporter_length_label_and_context_sensitivity() {
        let suite = &TLS13_AES_128_GCM_SHA256;
        let ems = schedule(suite).exporter_master_secret(&hash(suite, b"ch..sf"));
        let export = |label: &[u8], ctx: Option<&[u8]>, len: usize| {
            let mut out = vec![0u8; len];
            export_keying_material(suite, &ems, label, ctx, &mut out).unwrap();
            out
        };
        let base = export(b"EXPORTER-test", Some(b"ctx"), 32);
        assert_eq!(base, export(b"EXPORTER-test", Some(b"ctx"), 32));
        assert_ne!(base, export(b"EXPORTER-tesT", Some(b"ctx"), 32));
        assert_ne!(base, export(b"EXPORTER-test", Some(b"cty"), 32));
        // The length is in the HkdfLabel: a shorter output is not a prefix.
        let short = export(b"EXPORTER-test", Some(b"ctx"), 16);
        assert_eq!(short.len(), 16);
        assert_ne!(&base[..16], &short[..]);
        let long = export(b"EXPORTER-test", Some(b"ctx"), 100);
        assert_eq!(long.len(), 100);
        assert_ne!(&long[..32], &base[..]);
        // No context and an empty context are the same (RFC 8446 7.5).
        assert_eq!(
            export(b"EXPORTER-test", None, 32),
            export(b"EXPORTER-test", Some(b""), 32)
        );
        assert_ne!(export(b"EXPORTER-test", None, 32), base);
        // Different exporter master secrets give different output.
        let other = schedule(suite).exporter_master_secret(&hash(suite, b"other"));
        let mut out = [0u8; 32];
        export_keying_material(suite, &other, b"EXPORTER-test", Some(b"ctx"), &mut out).unwrap();
        assert_ne!(&out[..], &base[..]);
    }

    #[test]
    fn exporter_rejects_bad_requests() {
        let suite = &TLS13_AES_128_GCM_SHA256;
        let ems = schedule(suite).exporter_master_secret(&hash(suite, b""));
        let mut out = [0u8; 16];
        // An empty label is a valid request (issue 10: RFC 8446 7.5 does not
        // forbid it); only oversized labels and outputs are refused.
        assert!(export_keying_material(suite, &ems, b"", None, &mut out).is_ok());
        assert!(matches!(
            export_keying_material(suite, &ems, &[b'a'; 250], None, &mut out),
            Err(Error::Config(_))
        ));
        assert!(export_keying_material(suite, &ems, &[b'a'; 249], None, &mut out).is_ok());
        let mut huge = vec![0u8; 255 * 32 + 1];
        assert!(matches!(
            export_keying_material(suite, &ems, b"x", None, &mut huge),
            Err(Error::Config(_))
        ));
        assert!(huge.iter().all(|&b| b == 0));
    }

    #[test]
    fn expand_label_refuses_oversized_requests() {
        let suite = &TLS13_AES_128_GCM_SHA256;
        let mut out = [0u8; 16];
        let e = hkdf_expand_label(suite, &[1u8; 32], &[b'a'; 250], &[], &mut out).unwrap_err();
        assert!(
            matches!(&e, Error::Config(m) if m.contains("label longer")),
            "{e}"
        );
        let e = hkdf_expand_label(suite, &[1u8; 32], b"key", &[0; 256], &mut out).unwrap_err();
        assert!(
            matches!(&e, Error::Config(m) if m.contains("context longer")),
            "{e}"
        );
        let mut huge = vec![0u8; 255 * 32 + 1];
        assert!(hkdf_expand_label(suite, &[1u8; 32], b"key", &[], &mut huge).is_err());
        assert_eq!(out, [0u8; 16]);
        assert!(huge.iter().all(|&b| b == 0));
        assert!(hkdf_expand_label(suite, &[1u8; 32], &[b'a'; 249], &[], &mut out).is_ok());
    }

    #[test]
    fn finished_and_binder_verification() {
        let suite = &TLS13_AES_256_GCM_SHA384;
        let h = hash(suite, b"transcript");
        let hs = EarlySecret::new(suite, None).into_handshake(&[9u8; 48]);
        let ts = hs.server_handshake_traffic_secret(&h);
        let vd = ts.finished_verify_data(&h);
        assert!(ts.verify_finished(&h, &vd).is_ok());
        assert!(ts.verify_finished(&h, &vd[..vd.len() - 1]).is_err());
        let other = hs.client_handshake_traffic_secret(&h);
        let err = other.verify_finished(&h, &vd).unwrap_err();
        assert_eq!(err.alert(), Some(AlertDescription::DecryptError));

        let early = EarlySecret::new(suite, Some(&[3u8; 48]));
        let bk = early.resumption_binder_key();
        let b = bk.binder(&h);
        assert!(bk.verify_binder(&h, &b).is_ok());
        let ext = early.external_binder_key();
        assert_eq!(
            ext.verify_binder(&h, &b).unwrap_err().alert(),
            Some(AlertDescription::DecryptError)
        );
    }

    #[test]
    fn psk_changes_the_early_secret() {
        let suite = &TLS13_AES_128_GCM_SHA256;
        let none = EarlySecret::new(suite, None);
        let zeros = EarlySecret::new(suite, Some(&[0u8; 32]));
        assert_eq!(none.as_bytes(), zeros.as_bytes());
        let psk = EarlySecret::new(suite, Some(&[1u8; 32]));
        assert_ne!(none.as_bytes(), psk.as_bytes());
    }

    #[test]
    fn debug_prints_no_secret() {
        let suite = &TLS13_AES_128_GCM_SHA256;
        let ts = schedule(suite).client_application_traffic_secret_0(&hash(suite, b""));
        let printed = format!("{ts:?} {:?}", ts.keys());
        assert!(printed.contains("redacted"));
        let hex: String = ts.secret_bytes()[..4]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(!printed.contains(&hex));
        assert!(!printed.contains(&format!("{:?}", &ts.secret_bytes()[..4])));
    }
}
