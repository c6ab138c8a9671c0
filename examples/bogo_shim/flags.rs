//! The command line: every flag the shim knows, in one table.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

use lctls::config::{ClientConfig, ClientConfigBuilder};
use lctls::proto::enums::{NamedGroup, ProtocolVersion, SignatureScheme};

use crate::credentials::current;
use crate::verify::{SchemePrefs, ShimServerVerifier};

pub const TLS12: u16 = 0x0303;
pub const TLS13: u16 = 0x0304;

/// Everything the flags ask for, for one kind of connection (see [`Conns`]).
#[derive(Debug, Default, Clone)]
pub struct Opts {
    /// The configuration-level flags that were applied, in order, with their
    /// values: the connections share one lctls configuration, so these must
    /// be the same for every connection that runs (see [`check_per_connection`]).
    pub config_args: Vec<(&'static str, Option<Vec<u8>>)>,
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
    pub no_key_shares: bool,
    pub server_groups_hint: Vec<u16>,
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
    pub verify_fail: bool,
    pub expect_verify_result: bool,
    pub use_custom_verify_callback: bool,
    pub reverify_on_resume: bool,
    pub expect_session_id: bool,
    pub expect_no_session_id: bool,
    pub expect_early_data_reason: Option<String>,
    pub read_size: Option<usize>,
    pub expect_peer_cert_file: Option<PathBuf>,
    pub decline_alpn: bool,
    pub no_ticket: bool,
    pub use_client_ca_list: Option<String>,
    pub expect_client_ca_list: Option<String>,
    pub expect_advertised_alpn: Option<Vec<u8>>,
    pub resumption_delay: u64,
    pub cipher: Option<String>,
    pub send_alert: bool,
    pub expect_no_session: bool,
    pub expect_ticket_renewal: bool,
    pub enable_ocsp_stapling: bool,
    pub expect_ocsp_response: Option<Vec<u8>>,
    pub fail_ocsp_callback: bool,
    pub enable_sct: bool,
    pub expect_sct_list: Option<Vec<u8>>,
    pub enable_early_data: bool,
    pub expect_accept_early_data: bool,
    pub expect_reject_early_data: bool,
    pub expect_ticket_supports_early_data: bool,
    pub expect_no_offer_early_data: bool,
    pub expect_ticket_age_skew: Option<String>,
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

/// What a flag configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The lctls configuration, built once and shared by every connection
    /// (so that sessions carry over). A `-on-initial-`/`-on-resume-` prefix
    /// is honoured only when it leaves the connections that run agreeing.
    Config,
    /// One connection's checks and actions: read from that connection's
    /// [`Opts`], so any prefix is honoured.
    Conn,
}

/// One command-line flag.
pub struct Flag {
    pub name: &'static str,
    pub kind: Kind,
    pub scope: Scope,
}

/// A flag that configures the shared lctls configuration.
pub const fn flag(name: &'static str, kind: Kind) -> Flag {
    Flag {
        name,
        kind,
        scope: Scope::Config,
    }
}

/// A flag that applies to one connection at a time (its checks, its own
/// verifier outcome ...).
pub const fn conn(name: &'static str, kind: Kind) -> Flag {
    Flag {
        name,
        kind,
        scope: Scope::Conn,
    }
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
    conn("-shim-writes-first", Kind::Bool(|o| o.shim_writes_first = true)),
    conn("-shim-shuts-down", Kind::Bool(|o| o.shim_shuts_down = true)),
    conn("-check-close-notify", Kind::Bool(|o| o.check_close_notify = true)),
    flag("-resume-count", Kind::Int(|o, v| o.resume_count = v as u32)),
    conn("-expect-session-miss", Kind::Bool(|o| o.expect_session_miss = true)),
    conn("-expect-hrr", Kind::Bool(|o| o.expect_hrr = true)),
    conn("-expect-no-hrr", Kind::Bool(|o| o.expect_no_hrr = true)),
    conn("-expect-extended-master-secret", Kind::Bool(|o| o.expect_extended_master_secret = true)),
    flag("-min-version", Kind::Int(|o, v| o.min_version = Some(v as u16))),
    flag("-max-version", Kind::Int(|o, v| o.max_version = Some(v as u16))),
    flag("-no-tls12", Kind::Bool(|o| o.no_tls12 = true)),
    flag("-no-tls13", Kind::Bool(|o| o.no_tls13 = true)),
    flag("-curves", Kind::Repeated(|o, v| o.curves.push(v as u16))),
    flag("-key-shares", Kind::Repeated(|o, v| o.key_shares.push(v as u16))),
    conn("-expect-curve-id", Kind::Int(|o, v| o.expect_curve_id = Some(v as u16))),
    conn("-expect-version", Kind::Int(|o, v| o.expect_version = Some(v as u16))),
    conn("-expect-server-name", Kind::Str(|o, v| o.expect_server_name = Some(text(v)))),
    flag("-no-key-shares", Kind::Bool(|o| o.no_key_shares = true)),
    flag("-server-supported-groups-hint", Kind::Repeated(|o, v| o.server_groups_hint.push(v as u16))),
    flag("-advertise-alpn", Kind::Str(|o, v| o.advertise_alpn = Some(v))),
    conn("-expect-alpn", Kind::Str(|o, v| o.expect_alpn = Some(v))),
    flag("-select-alpn", Kind::Str(|o, v| o.select_alpn = Some(v))),
    conn("-export-keying-material", Kind::Int(|o, v| o.export_keying_material = v as usize)),
    conn("-export-label", Kind::Str(|o, v| o.export_label = v)),
    conn("-export-context", Kind::Str(|o, v| o.export_context = v)),
    conn("-use-export-context", Kind::Bool(|o| o.use_export_context = true)),
    flag("-max-send-fragment", Kind::Int(|o, v| o.max_send_fragment = Some(v as usize))),
    conn("-key-update", Kind::Bool(|o| o.key_update = true)),
    flag("-verify-prefs", Kind::Repeated(|o, v| o.verify_prefs.push(v as u16))),
    conn("-expect-peer-signature-algorithm", Kind::Int(|o, v| o.expect_peer_signature_algorithm = Some(v as u16))),
    conn("-verify-fail", Kind::Bool(|o| o.verify_fail = true)),
    conn("-expect-verify-result", Kind::Bool(|o| o.expect_verify_result = true)),
    conn("-use-custom-verify-callback", Kind::Bool(|o| o.use_custom_verify_callback = true)),
    conn("-reverify-on-resume", Kind::Bool(|o| o.reverify_on_resume = true)),
    conn("-expect-session-id", Kind::Bool(|o| o.expect_session_id = true)),
    conn("-expect-no-session-id", Kind::Bool(|o| o.expect_no_session_id = true)),
    conn("-expect-early-data-reason", Kind::Str(|o, v| o.expect_early_data_reason = Some(text(v)))),
    conn("-read-size", Kind::Int(|o, v| o.read_size = Some(v as usize))),
    conn("-expect-peer-cert-file", Kind::Str(|o, v| o.expect_peer_cert_file = Some(path(v)))),
    flag("-decline-alpn", Kind::Bool(|o| o.decline_alpn = true)),
    flag("-no-ticket", Kind::Bool(|o| o.no_ticket = true)),
    flag("-use-client-ca-list", Kind::Str(|o, v| o.use_client_ca_list = Some(text(v)))),
    conn("-expect-client-ca-list", Kind::Str(|o, v| o.expect_client_ca_list = Some(text(v)))),
    conn("-expect-advertised-alpn", Kind::Str(|o, v| o.expect_advertised_alpn = Some(v))),
    conn("-resumption-delay", Kind::Int(|o, v| o.resumption_delay = v)),
    flag("-cipher", Kind::Str(|o, v| o.cipher = Some(text(v)))),
    conn("-send-alert", Kind::Bool(|o| o.send_alert = true)),
    conn("-expect-no-session", Kind::Bool(|o| o.expect_no_session = true)),
    conn("-expect-ticket-renewal", Kind::Bool(|o| o.expect_ticket_renewal = true)),
    conn("-expect-peer-verify-pref", Kind::Repeated(|o, v| o.expect_peer_verify_prefs.push(v as u16))),
    flag("-allow-unknown-alpn-protos", Kind::Unsupported("lctls refuses an ALPN protocol it did not offer (RFC 7301 section 3.2), by design")),
    // BoringSSL API checks (a second SSL_do_handshake after completion must
    // do nothing): lctls's handshake is a future that yields the stream
    // once, so there is no handshake to call again.
    flag("-no-op-extra-handshake", Kind::Ignored),
    flag("-enable-ocsp-stapling", Kind::Bool(|o| o.enable_ocsp_stapling = true)),
    flag("-ocsp-response", Kind::Str(|o, v| current(o).ocsp_response = Some(crate::ocsp::base64(v)))),
    conn("-expect-ocsp-response", Kind::Str(|o, v| o.expect_ocsp_response = Some(crate::ocsp::base64(v)))),
    flag("-use-ocsp-callback", Kind::Ignored),
    flag("-fail-ocsp-callback", Kind::Bool(|o| o.fail_ocsp_callback = true)),
    flag("-signed-cert-timestamps", Kind::Str(|o, v| current(o).sct_list = Some(crate::ocsp::base64(v)))),
    flag("-enable-signed-cert-timestamps", Kind::Bool(|o| o.enable_sct = true)),
    conn("-expect-signed-cert-timestamps", Kind::Str(|o, v| o.expect_sct_list = Some(crate::ocsp::base64(v)))),
    flag("-enable-early-data", Kind::Bool(|o| o.enable_early_data = true)),
    conn("-expect-accept-early-data", Kind::Bool(|o| o.expect_accept_early_data = true)),
    conn("-expect-reject-early-data", Kind::Bool(|o| o.expect_reject_early_data = true)),
    conn("-expect-ticket-supports-early-data", Kind::Bool(|o| o.expect_ticket_supports_early_data = true)),
    conn("-expect-no-offer-early-data", Kind::Bool(|o| o.expect_no_offer_early_data = true)),
    conn("-expect-ticket-age-skew", Kind::Str(|o, v| o.expect_ticket_age_skew = Some(text(v)))),
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

/// The options of each kind of connection, as BoringSSL's shim keeps them
/// (`test_config.cc`, `ParseConfig`): an unprefixed flag applies to all
/// three, a flag with `-on-initial-`, `-on-resume-` or `-on-retry-` only to
/// that one.
#[derive(Debug, Default)]
pub struct Conns {
    /// The first connection.
    pub initial: Opts,
    /// Every `-resume-count` connection after it.
    pub resume: Opts,
    /// A client's resumed connection after its 0-RTT data was rejected:
    /// BoringSSL's shim runs the rest of it with these options (see early.rs).
    pub retry: Opts,
}

impl Conns {
    /// The options of connection `i` (0: the initial one).
    pub fn get(&self, i: u32) -> &Opts {
        if i == 0 {
            &self.initial
        } else {
            &self.resume
        }
    }
}

/// Which connections a prefixed flag name applies to, and the name without
/// its prefix (`-on-resume-verify-fail` is `-verify-fail` on resumption).
fn split_prefix(arg: &[u8]) -> (&[u8], [bool; 3]) {
    for (prefix, which) in [
        (&b"-on-initial"[..], [true, false, false]),
        (b"-on-resume", [false, true, false]),
        (b"-on-retry", [false, false, true]),
    ] {
        if let Some(rest) = arg.strip_prefix(prefix) {
            if rest.starts_with(b"-") {
                return (rest, which);
            }
        }
    }
    (arg, [true; 3])
}

pub fn parse_args(args: &[Vec<u8>]) -> Result<Conns, ParseError> {
    let mut c = Conns::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (name, which) = split_prefix(arg);
        let Some(f) = FLAGS.iter().find(|f| f.name.as_bytes() == name) else {
            return Err(ParseError::Unimplemented(format!(
                "unknown flag {}",
                text(arg.clone())
            )));
        };
        let value = match &f.kind {
            Kind::Bool(_) | Kind::Ignored | Kind::Unsupported(_) => None,
            _ => Some(
                it.next()
                    .cloned()
                    .ok_or_else(|| ParseError::Usage(format!("{} needs a value", f.name)))?,
            ),
        };
        let int = |v: &[u8]| {
            text(v.to_vec()).parse::<u64>().map_err(|_| {
                ParseError::Usage(format!("{}: not a number: {}", f.name, text(v.to_vec())))
            })
        };
        let targets = [&mut c.initial, &mut c.resume, &mut c.retry];
        for (o, on) in targets.into_iter().zip(which) {
            if !on {
                continue;
            }
            match (&f.kind, &value) {
                (Kind::Bool(h), _) => h(o),
                (Kind::Int(h) | Kind::Repeated(h), Some(v)) => h(o, int(v)?),
                (Kind::Str(h), Some(v)) => h(o, v.clone()),
                (Kind::Ignored, _) => continue,
                (Kind::Unsupported(why), _) => {
                    return Err(ParseError::Unimplemented(format!("{}: {why}", f.name)))
                }
                _ => unreachable!("a value was read for every flag kind that takes one"),
            }
            if f.scope == Scope::Config {
                o.config_args.push((f.name, value.clone()));
            }
        }
    }
    Ok(c)
}

/// Refuses (exit 89) a configuration-level flag that differs between the
/// connections that run: they share one lctls configuration, so it could
/// not be honoured for one connection only, and ignoring it could pass a
/// test that should not pass.
pub fn check_per_connection(c: &Conns) -> Result<(), ParseError> {
    if c.initial.resume_count > 0 && c.initial.config_args != c.resume.config_args {
        let differs = |a: &Opts, b: &Opts| {
            a.config_args
                .iter()
                .find(|x| !b.config_args.contains(x))
                .map(|(n, _)| *n)
        };
        let name = differs(&c.initial, &c.resume)
            .or_else(|| differs(&c.resume, &c.initial))
            .unwrap_or("a flag");
        return Err(ParseError::Unimplemented(format!(
            "{name}: differs between the initial and resumed connections, which share one lctls configuration"
        )));
    }
    Ok(())
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

/// The client's key-share flags: `-key-shares` (repeated) or
/// `-no-key-shares` name the shares, `-server-supported-groups-hint` the
/// groups the server is said to have (it wins when it names one of ours).
pub fn key_share_options(o: &Opts, mut b: ClientConfigBuilder) -> ClientConfigBuilder {
    let groups = |v: &[u16]| v.iter().map(|&g| NamedGroup::from(g)).collect::<Vec<_>>();
    if o.no_key_shares {
        b = b.with_key_shares(&[]);
    } else if !o.key_shares.is_empty() {
        b = b.with_key_shares(&groups(&o.key_shares));
    }
    if !o.server_groups_hint.is_empty() {
        b = b.with_server_groups_hint(&groups(&o.server_groups_hint));
    }
    b
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
    // Groups lctls does not implement (the library itself is the judge: a
    // config offering one does not build).
    let supported = |g: u16| {
        ClientConfig::builder()
            .dangerous()
            .with_custom_verifier(Arc::new(ShimServerVerifier::default()))
            .with_groups(&[NamedGroup::from(g)])
            .build()
            .is_ok()
    };
    for &g in &o.curves {
        if !supported(g) {
            return Err(ParseError::Unimplemented(format!(
                "-curves {g}: unsupported group"
            )));
        }
    }
    // Key shares for groups lctls does not implement cannot be sent.
    for &g in &o.key_shares {
        if !supported(g) {
            return Err(ParseError::Unimplemented(format!(
                "-key-shares {g}: unsupported group"
            )));
        }
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
    // BoringSSL's shim checks these on the server (the new-session callback
    // of its session-ID cache); lctls's client has no such notion.
    if !o.server && (o.expect_session_id || o.expect_no_session_id) {
        return Err(ParseError::Unimplemented(
            "-expect-(no-)session-id: a server-side check".into(),
        ));
    }
    // A server without ALPN protocols ignores the client's offer, which is
    // what declining means; both at once is a contradiction.
    if o.decline_alpn && (!o.server || o.select_alpn.is_some()) {
        return Err(ParseError::Unimplemented(
            "-decline-alpn: only for a server without -select-alpn".into(),
        ));
    }
    // The runner writes chain files issuer first (certs.go appends each
    // certificate after its issuer's chain), and sends them in that order;
    // lctls requires the end-entity certificate first (RFC 8446 section
    // 4.4.2), by design, so such a chain never gets as far as the check.
    if let Some(p) = &o.expect_peer_cert_file {
        let pem = std::fs::read_to_string(p).unwrap_or_default();
        if pem.matches("-----BEGIN CERTIFICATE-----").count() > 1 {
            return Err(ParseError::Unimplemented(
                "-expect-peer-cert-file: the runner's chain lists the issuer first".into(),
            ));
        }
    }
    if let Some(spec) = &o.cipher {
        crate::ciphers::parse(spec)?;
    }
    // Client-side checks of the sessions the client was given.
    if o.server && (o.expect_no_session || o.expect_ticket_renewal) {
        return Err(ParseError::Unimplemented(
            "-expect-no-session / -expect-ticket-renewal: client-side checks".into(),
        ));
    }
    // lctls's client has no switch to stop offering tickets.
    if o.no_ticket && !o.server {
        return Err(ParseError::Unimplemented(
            "-no-ticket: lctls's client cannot stop offering tickets".into(),
        ));
    }
    // BoringSSL's server-side OCSP callback (fail, decline, set in callback)
    // has no lctls counterpart: a server staples what it is configured with.
    if o.server && o.fail_ocsp_callback {
        return Err(ParseError::Unimplemented(
            "-fail-ocsp-callback on a server: lctls has no server OCSP callback".into(),
        ));
    }
    crate::credentials::check_signing_prefs(o)?;
    if (o.select_alpn.as_ref()).is_some_and(|p| p.is_empty() || p.len() > 255) {
        return Err(ParseError::Unimplemented(
            "-select-alpn: lctls cannot select an empty or oversized protocol".into(),
        ));
    }
    Ok(())
}
