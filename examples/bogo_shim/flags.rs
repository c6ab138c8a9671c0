//! The command line: every flag the shim knows, in one table.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

use lctls::config::ClientConfig;
use lctls::proto::wire::enums::{NamedGroup, ProtocolVersion, SignatureScheme};

use crate::credentials::current;
use crate::verify::{SchemePrefs, ShimServerVerifier};

pub const TLS12: u16 = 0x0303;
pub const TLS13: u16 = 0x0304;

/// Everything the flags ask for.
#[derive(Debug, Default)]
pub struct Opts {
    pub is_handshaker_supported: bool,
    pub port: u16,
    pub shim_id: u64,
    pub ipv6: bool,
    pub server: bool,
    /// `-cert-file`, `-key-file`, `-signing-prefs` before any `-new-x509-credential`.
    pub default_credential: crate::credentials::CredentialFlags,
    /// One per `-new-x509-credential`, with the flags after it.
    pub credentials: Vec<crate::credentials::CredentialFlags>,
    pub expect_selected_credential: Option<i64>,
    pub expect_peer_verify_prefs: Vec<u16>,
    pub fail_cert_callback: bool,
    pub install_cert_compression_algs: bool,
    pub install_one_cert_compression_alg: Option<u16>,
    pub fips_202205: bool,
    pub wpa_202304: bool,
    pub cnsa_202407: bool,
    pub trust_cert: Option<PathBuf>,
    pub host_name: Option<String>,
    pub verify_peer: bool,
    pub require_any_client_cert: bool,
    pub shim_writes_first: bool,
    pub shim_shuts_down: bool,
    pub check_close_notify: bool,
    pub resume_count: u32,
    pub expect_session_miss: bool,
    pub expect_hrr: bool,
    pub expect_no_hrr: bool,
    pub expect_extended_master_secret: bool,
    pub min_version: Option<u16>,
    pub max_version: Option<u16>,
    pub no_tls12: bool,
    pub no_tls13: bool,
    pub curves: Vec<u16>,
    pub key_shares: Vec<u16>,
    pub expect_curve_id: Option<u16>,
    pub expect_version: Option<u16>,
    pub expect_server_name: Option<String>,
    pub advertise_alpn: Option<Vec<u8>>,
    pub expect_alpn: Option<Vec<u8>>,
    pub select_alpn: Option<Vec<u8>>,
    pub export_keying_material: usize,
    pub export_label: Vec<u8>,
    pub export_context: Vec<u8>,
    pub use_export_context: bool,
    pub max_send_fragment: Option<usize>,
    pub key_update: bool,
    pub verify_prefs: Vec<u16>,
    pub expect_peer_signature_algorithm: Option<u16>,
}

/// How a flag takes its value, and what it does with it.
pub enum Kind {
    /// No value.
    Bool(fn(&mut Opts)),
    /// A decimal integer.
    Int(fn(&mut Opts, u64)),
    /// Raw bytes (BoGo passes binary strings such as ALPN lists).
    Str(fn(&mut Opts, Vec<u8>)),
    /// A decimal integer that may be given many times, in order.
    Repeated(fn(&mut Opts, u64)),
    /// Tunes only BoringSSL's API (async IO, callbacks ...): accepted, no effect.
    Ignored,
    /// A flag we know but cannot honour: exit 89. The text says why.
    #[allow(dead_code)] // no such flag at the moment
    Unsupported(&'static str),
}

/// One command-line flag.
pub struct Flag {
    pub name: &'static str,
    pub kind: Kind,
}

pub const fn flag(name: &'static str, kind: Kind) -> Flag {
    Flag { name, kind }
}

/// Every flag the shim knows. Any other flag makes it exit 89.
#[rustfmt::skip]
pub static FLAGS: &[Flag] = &[
    flag("-is-handshaker-supported", Kind::Bool(|o| o.is_handshaker_supported = true)),
    flag("-port", Kind::Int(|o, v| o.port = v as u16)),
    flag("-shim-id", Kind::Int(|o, v| o.shim_id = v)),
    flag("-ipv6", Kind::Bool(|o| o.ipv6 = true)),
    flag("-server", Kind::Bool(|o| o.server = true)),
    flag("-cert-file", Kind::Str(|o, v| current(o).cert_file = Some(path(v)))),
    flag("-key-file", Kind::Str(|o, v| current(o).key_file = Some(path(v)))),
    flag("-trust-cert", Kind::Str(|o, v| o.trust_cert = Some(path(v)))),
    flag("-host-name", Kind::Str(|o, v| o.host_name = Some(text(v)))),
    flag("-verify-peer", Kind::Bool(|o| o.verify_peer = true)),
    flag("-require-any-client-certificate", Kind::Bool(|o| o.require_any_client_cert = true)),
    flag("-shim-writes-first", Kind::Bool(|o| o.shim_writes_first = true)),
    flag("-shim-shuts-down", Kind::Bool(|o| o.shim_shuts_down = true)),
    flag("-check-close-notify", Kind::Bool(|o| o.check_close_notify = true)),
    flag("-resume-count", Kind::Int(|o, v| o.resume_count = v as u32)),
    flag("-expect-session-miss", Kind::Bool(|o| o.expect_session_miss = true)),
    flag("-expect-hrr", Kind::Bool(|o| o.expect_hrr = true)),
    flag("-expect-no-hrr", Kind::Bool(|o| o.expect_no_hrr = true)),
    flag("-expect-extended-master-secret", Kind::Bool(|o| o.expect_extended_master_secret = true)),
    flag("-min-version", Kind::Int(|o, v| o.min_version = Some(v as u16))),
    flag("-max-version", Kind::Int(|o, v| o.max_version = Some(v as u16))),
    flag("-no-tls12", Kind::Bool(|o| o.no_tls12 = true)),
    flag("-no-tls13", Kind::Bool(|o| o.no_tls13 = true)),
    flag("-curves", Kind::Repeated(|o, v| o.curves.push(v as u16))),
    flag("-key-shares", Kind::Repeated(|o, v| o.key_shares.push(v as u16))),
    flag("-expect-curve-id", Kind::Int(|o, v| o.expect_curve_id = Some(v as u16))),
    flag("-expect-version", Kind::Int(|o, v| o.expect_version = Some(v as u16))),
    flag("-expect-server-name", Kind::Str(|o, v| o.expect_server_name = Some(text(v)))),
    flag("-advertise-alpn", Kind::Str(|o, v| o.advertise_alpn = Some(v))),
    flag("-expect-alpn", Kind::Str(|o, v| o.expect_alpn = Some(v))),
    flag("-select-alpn", Kind::Str(|o, v| o.select_alpn = Some(v))),
    flag("-export-keying-material", Kind::Int(|o, v| o.export_keying_material = v as usize)),
    flag("-export-label", Kind::Str(|o, v| o.export_label = v)),
    flag("-export-context", Kind::Str(|o, v| o.export_context = v)),
    flag("-use-export-context", Kind::Bool(|o| o.use_export_context = true)),
    flag("-max-send-fragment", Kind::Int(|o, v| o.max_send_fragment = Some(v as usize))),
    flag("-key-update", Kind::Bool(|o| o.key_update = true)),
    flag("-verify-prefs", Kind::Repeated(|o, v| o.verify_prefs.push(v as u16))),
    flag("-expect-peer-signature-algorithm", Kind::Int(|o, v| o.expect_peer_signature_algorithm = Some(v as u16))),
    flag("-async", Kind::Ignored),
    flag("-implicit-handshake", Kind::Ignored),
    flag("-use-old-client-cert-callback", Kind::Ignored),
    flag("-no-tls1", Kind::Ignored),
    flag("-no-tls11", Kind::Ignored),
    flag("-no-ssl3", Kind::Ignored),
    flag("-peek-then-read", Kind::Ignored),
    flag("-signing-prefs", Kind::Repeated(|o, v| current(o).signing_prefs.push(v as u16))),
    flag("-new-x509-credential", Kind::Bool(|o| o.credentials.push(Default::default()))),
    flag("-expect-selected-credential", Kind::Str(|o, v| o.expect_selected_credential = text(v).parse().ok().or(Some(i64::MIN)))),
    flag("-expect-peer-verify-pref", Kind::Repeated(|o, v| o.expect_peer_verify_prefs.push(v as u16))),
    flag("-must-match-issuer", Kind::Bool(|o| current(o).must_match_issuer = true)),
    flag("-fail-cert-callback", Kind::Bool(|o| o.fail_cert_callback = true)),
    flag("-install-cert-compression-algs", Kind::Bool(|o| o.install_cert_compression_algs = true)),
    flag("-install-one-cert-compression-alg", Kind::Int(|o, v| o.install_one_cert_compression_alg = Some(v as u16))),
    flag("-fips-202205", Kind::Bool(|o| o.fips_202205 = true)),
    flag("-wpa-202304", Kind::Bool(|o| o.wpa_202304 = true)),
    flag("-cnsa-202407", Kind::Bool(|o| o.cnsa_202407 = true)),
];

/// Why the shim stops before connecting.
#[derive(Debug)]
pub enum ParseError {
    /// Exit 89, silently (the reason goes to stderr only with
    /// `LCTLS_BOGO_VERBOSE` set, to find out which flags block which tests).
    Unimplemented(String),
    /// A malformed command line: exit 1 with this message.
    Usage(String),
}

pub fn path(v: Vec<u8>) -> PathBuf {
    PathBuf::from(text(v))
}

pub fn text(v: Vec<u8>) -> String {
    String::from_utf8_lossy(&v).into_owned()
}

#[cfg(unix)]
pub fn os_bytes(s: OsString) -> Vec<u8> {
    use std::os::unix::ffi::OsStringExt;
    s.into_vec()
}

#[cfg(not(unix))]
pub fn os_bytes(s: OsString) -> Vec<u8> {
    s.to_string_lossy().into_owned().into_bytes()
}

pub fn parse_args(args: &[Vec<u8>]) -> Result<Opts, ParseError> {
    let mut o = Opts::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let Some(f) = FLAGS.iter().find(|f| f.name.as_bytes() == arg.as_slice()) else {
            return Err(ParseError::Unimplemented(format!(
                "unknown flag {}",
                text(arg.clone())
            )));
        };
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| ParseError::Usage(format!("{} needs a value", f.name)))
        };
        let int = |v: Vec<u8>| {
            text(v.clone())
                .parse::<u64>()
                .map_err(|_| ParseError::Usage(format!("{}: not a number: {}", f.name, text(v))))
        };
        match &f.kind {
            Kind::Bool(h) => h(&mut o),
            Kind::Int(h) | Kind::Repeated(h) => h(&mut o, int(value()?)?),
            Kind::Str(h) => h(&mut o, value()?),
            Kind::Ignored => {}
            Kind::Unsupported(why) => {
                return Err(ParseError::Unimplemented(format!("{}: {why}", f.name)))
            }
        }
    }
    Ok(o)
}

/// The versions the flags allow, most preferred first.
pub fn versions(o: &Opts) -> Vec<ProtocolVersion> {
    let min = o.min_version.unwrap_or(0);
    let max = o.max_version.unwrap_or(u16::MAX);
    let mut v = Vec::new();
    if (min..=max).contains(&TLS13) && !o.no_tls13 {
        v.push(ProtocolVersion::TLSv1_3);
    }
    if (min..=max).contains(&TLS12) && !o.no_tls12 {
        v.push(ProtocolVersion::TLSv1_2);
    }
    v
}

/// Refuses (exit 89) what lctls cannot do, before anything is sent.
pub fn check_supported(o: &Opts) -> Result<(), ParseError> {
    let versions = versions(o);
    // Only TLS 1.2 and 1.3 exist here: TLS 1.0/1.1, SSL 3 and DTLS ranges are empty.
    if versions.is_empty() {
        return Err(ParseError::Unimplemented(
            "no TLS 1.2 or TLS 1.3 in the version range".into(),
        ));
    }
    // Groups lctls does not implement (the library itself is the judge).
    for &g in &o.curves {
        let ok = ClientConfig::builder()
            .dangerous()
            .with_custom_verifier(Arc::new(ShimServerVerifier::default()))
            .with_groups(&[NamedGroup::from(g)])
            .build()
            .is_ok();
        if !ok {
            return Err(ParseError::Unimplemented(format!(
                "-curves {g}: unsupported group"
            )));
        }
    }
    // lctls predicts one key share, for its most preferred group (the first
    // -curves, else X25519, first of its defaults): any other prediction is
    // something it cannot do.
    let first = o
        .curves
        .first()
        .copied()
        .unwrap_or(NamedGroup::X25519.get());
    if !o.key_shares.is_empty() && o.key_shares != [first] {
        return Err(ParseError::Unimplemented(format!(
            "-key-shares {:?}: lctls sends one key share, for its first group {first}",
            o.key_shares
        )));
    }
    // Schemes we could never verify cannot be offered (MD5/SHA-1 is dropped,
    // as BoringSSL does in TLS 1.2).
    let known = SchemePrefs::defaults();
    for s in crate::credentials::without_md5_sha1(&o.verify_prefs) {
        let s = SignatureScheme::from(s);
        if !known.tls13.contains(&s) && !known.tls12.contains(&s) {
            return Err(ParseError::Unimplemented(format!(
                "-verify-prefs {s:?}: unsupported scheme"
            )));
        }
    }
    crate::credentials::check_signing_prefs(o)?;
    if (o.select_alpn.as_ref()).is_some_and(|p| p.is_empty() || p.len() > 255) {
        return Err(ParseError::Unimplemented(
            "-select-alpn: lctls cannot select an empty or oversized protocol".into(),
        ));
    }
    Ok(())
}
