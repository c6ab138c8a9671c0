//! A shim for BoringSSL's TLS test suite ("BoGo", `ssl/test/runner`).
//!
//! The runner starts this program once per test with command-line flags (see
//! BoringSSL's `ssl/test/PORTING.md` and `ssl/test/test_config.cc`). The shim
//! connects to the runner's port, writes its shim ID, runs one TLS connection
//! (plus `-resume-count` more) and echoes application data with every byte
//! XOR 0xff. Exit codes: 0 success (nothing on stderr), 1 failure (the error
//! on stderr, with BoringSSL's error name in colons where one fits), 89 "this
//! test uses something the shim does not implement" (nothing printed).
//!
//! After a failure the shim half-closes and drains the connection briefly
//! before exiting, so that a runner still writing reads our alert rather than
//! a reset.
//!
//! Every flag the shim knows is one line in `flags::FLAGS`; every error name is
//! found in the one table of `errors.rs`.
//!
//! Run it from a BoringSSL checkout (see the README's BoGo section):
//!
//! ```text
//! cargo build --release --example bogo_shim
//! cd boringssl/ssl/test/runner && go test -pipe -allow-unimplemented \
//!     -shim-path /path/to/lctls/target/release/examples/bogo_shim \
//!     -shim-config /path/to/lctls/bogo/config.json
//! ```

mod ca_list;
mod ciphers;
mod clock;
mod compression;
mod credentials;
mod early;
mod errors;
mod flags;
mod ocsp;
mod policy;
mod verify;

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::exit;
use std::sync::Arc;
use std::time::Duration;

use lctls::config::{ClientConfig, ServerConfig, StrikeRegister, DEFAULT_REPLAY_CAPACITY};
use lctls::pki::{CertificateDer, RootStore, ServerName};
use lctls::proto::enums::{AlertDescription, CipherSuite, NamedGroup, ProtocolVersion};
use lctls::{Error, TlsAcceptor, TlsConnector, TlsStream};
use rustls_pki_types::pem::PemObject;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use ca_list::{parse_names, ShimClientCert};
use clock::ShimClock;
use credentials::Credentials;
use errors::{fail, Failure};
use flags::{
    check_per_connection, check_supported, os_bytes, parse_args, text, versions, Conns, Opts,
    ParseError,
};
use policy::Policy;
use verify::{Outcomes, SchemePrefs, ShimClientVerifier, ShimServerVerifier};

/// BoGo reads this exit status as "unimplemented": the test is skipped.
const UNIMPLEMENTED: i32 = 89;

/// Splits an ALPN protocol_name_list ("\x03foo\x03bar") into names.
fn parse_alpn_list(mut wire: &[u8]) -> Result<Vec<Vec<u8>>, Failure> {
    let mut out = Vec::new();
    while let Some((&len, rest)) = wire.split_first() {
        let len = usize::from(len);
        if len == 0 || rest.len() < len {
            return fail("malformed ALPN protocol list");
        }
        out.push(rest[..len].to_vec());
        wire = &rest[len..];
    }
    Ok(out)
}

/// The configured side of the connection, shared by every connection of the
/// process so that session caches carry over to `-resume-count` connections.
enum Role {
    Client(TlsConnector, ServerName<'static>),
    Server(TlsAcceptor),
}

fn load_roots(o: &Opts) -> Result<Option<Arc<RootStore>>, Failure> {
    // `-trust-cert ""` is how the runner says "this credential has no root"
    // (GarbageCertificate-*): no roots, as without the flag.
    let Some(p) = o.trust_cert.as_ref().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(None);
    };
    let mut roots = RootStore::new();
    roots.add_pem_file(p)?;
    Ok(Some(Arc::new(roots)))
}

/// The shim's own objects inside the shared configuration, which look at or
/// record what each connection does.
#[derive(Default)]
struct Hooks {
    outcomes: Arc<Outcomes>,
    client_cert: Arc<ShimClientCert>,
    clock: Arc<ShimClock>,
    /// The credentials (for `-expect-selected-credential`).
    credentials: Option<Arc<Credentials>>,
}

impl Hooks {
    /// Before connection `o`.
    fn begin(&self, o: &Opts) {
        self.outcomes.begin(o);
        self.client_cert.begin();
        if let Some(c) = &self.credentials {
            c.reset();
        }
    }
}

/// `-cipher`'s TLS 1.2 suites after every TLS 1.3 suite (BoringSSL's
/// cipher lists do not configure TLS 1.3); None without the flag.
fn cipher_suites(o: &Opts) -> Result<Option<Vec<CipherSuite>>, Failure> {
    let Some(spec) = &o.cipher else {
        return Ok(None);
    };
    let tls12 = ciphers::parse(spec).map_err(|_| Failure(format!("-cipher {spec:?}")))?;
    let mut all = vec![
        CipherSuite::TLS13_AES_128_GCM_SHA256,
        CipherSuite::TLS13_AES_256_GCM_SHA384,
        CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
    ];
    all.extend(tls12);
    Ok(Some(all))
}

fn build_role(o: &Opts, hooks: &mut Hooks) -> Result<Role, Failure> {
    let outcomes = &hooks.outcomes;
    let roots = load_roots(o)?;
    // A compliance policy (-fips-202205, -wpa-202304, -cnsa-202407) sets the
    // suites, groups and schemes, as BoringSSL's SSL_set_compliance_policy.
    let policy = Policy::from_flags(o.fips_202205, o.wpa_202304, o.cnsa_202407)
        .map_err(|_| Failure("Multiple policy options given".into()))?
        .map(Policy::settings);
    let policy_schemes = policy.as_ref().and_then(|p| p.schemes.clone());
    let prefs = match &policy_schemes {
        Some(s) => SchemePrefs::from_flags(&s.iter().map(|s| s.get()).collect::<Vec<_>>()),
        None => SchemePrefs::from_flags(&o.verify_prefs),
    };
    let mut groups: Vec<NamedGroup> = o.curves.iter().map(|&g| NamedGroup::from(g)).collect();
    if let Some(g) = policy.as_ref().and_then(|p| p.groups.clone()) {
        groups = g;
    }
    let suites = match policy.as_ref() {
        Some(p) => Some(p.suites.clone()),
        None => cipher_suites(o)?,
    };
    let versions = versions(o);
    let credentials = Credentials::from_flags(o)?;
    hooks.credentials = credentials.clone();
    let compressors = compression::compressors(
        o.install_cert_compression_algs,
        o.install_one_cert_compression_alg,
    );
    if o.server {
        let creds = credentials.ok_or_else(|| Failure("a server needs -cert-file".into()))?;
        let mut b = ServerConfig::builder()
            .with_cert_resolver(creds)
            .with_protocol_versions(&versions)
            .with_time_provider(hooks.clock.clone());
        if o.enable_early_data {
            b = b
                .with_max_early_data(early::MAX_EARLY_DATA)
                .with_anti_replay(Arc::new(StrikeRegister::new(
                    early::TICKET_AGE_WINDOW,
                    DEFAULT_REPLAY_CAPACITY,
                )));
        }
        if !groups.is_empty() {
            b = b.with_groups(&groups);
        }
        if let Some(s) = &suites {
            b = b.with_cipher_suites(s);
        }
        if let Some(s) = &policy_schemes {
            b = b.with_signing_schemes(s);
        }
        b = b.with_cert_compression(&compressors);
        if let Some(p) = &o.select_alpn {
            b = b.with_alpn_protocols(&[p]);
        }
        if let Some(n) = o.max_send_fragment {
            b = b.with_max_fragment_size(n);
        }
        if o.verify_peer || o.require_any_client_cert {
            b = b.with_client_cert_verifier(Arc::new(ShimClientVerifier {
                roots,
                mandatory: o.require_any_client_cert,
                prefs,
                outcomes: outcomes.clone(),
                ca_names: o
                    .use_client_ca_list
                    .as_deref()
                    .map(|v| parse_names("-use-client-ca-list", v))
                    .transpose()?,
            }));
        }
        if o.no_ticket {
            b = b.with_tickets(false);
        }
        Ok(Role::Server(TlsAcceptor::from(Arc::new(b.build()?))))
    } else {
        let verifier = ShimServerVerifier {
            prefs,
            hard: o.verify_peer,
            outcomes: outcomes.clone(),
            fail_ocsp: o.fail_ocsp_callback,
        };
        let mut b = ClientConfig::builder()
            .dangerous()
            .with_custom_verifier(Arc::new(verifier))
            .with_protocol_versions(&versions)
            .with_time_provider(hooks.clock.clone())
            .with_ocsp_stapling(ocsp::client_policy(o))
            .with_signed_certificate_timestamps(o.enable_sct);
        if !groups.is_empty() {
            b = b.with_groups(&groups);
        }
        if let Some(s) = &suites {
            b = b.with_cipher_suites(s);
        }
        if let Some(s) = &policy_schemes {
            b = b.with_signing_schemes(s);
        }
        b = b.with_cert_compression(&compressors);
        b = flags::key_share_options(o, b);
        if let Some(wire) = &o.advertise_alpn {
            b = b.with_alpn_protocols(&parse_alpn_list(wire)?);
        }
        if let Some(n) = o.max_send_fragment {
            b = b.with_max_fragment_size(n);
        }
        hooks.client_cert = Arc::new(ShimClientCert::new(credentials));
        b = b.with_client_cert_resolver(hooks.client_cert.clone());
        // Without -host-name no SNI is sent: lctls sends none for an IP address.
        let name = match &o.host_name {
            Some(h) => ServerName::try_from(h.clone())
                .map_err(|_| Failure(format!("-host-name: invalid name {h:?}")))?,
            None if o.ipv6 => ServerName::from(std::net::IpAddr::from(Ipv6Addr::LOCALHOST)),
            None => ServerName::from(std::net::IpAddr::from(Ipv4Addr::LOCALHOST)),
        };
        Ok(Role::Client(TlsConnector::from(Arc::new(b.build()?)), name))
    }
}

/// Checks the `-expect-*` flags against what the handshake negotiated.
fn check_negotiated<IO>(
    o: &Opts,
    hooks: &Hooks,
    tls: &TlsStream<IO>,
    is_resume: bool,
) -> Result<(), Failure> {
    let outcomes = &hooks.outcomes;
    // No verification at all (no certificate asked for) counts as passed, as
    // X509_V_OK is BoringSSL's default result.
    let passed = outcomes.passed().unwrap_or(true);
    if o.expect_verify_result && passed == o.verify_fail {
        return fail(format!(
            "-expect-verify-result: verification {}, expected the opposite",
            if passed { "passed" } else { "failed" }
        ));
    }
    let n = tls.negotiated();
    // As BoringSSL's shim: only the first connection's session is checked.
    if !is_resume && o.expect_session_id && !n.session_id_cached {
        return fail("-expect-session-id: the session was not cached by ID");
    }
    if !is_resume && o.expect_no_session_id && n.session_id_cached {
        return fail("-expect-no-session-id: the session was cached by ID");
    }
    let want_resume = is_resume && !o.expect_session_miss;
    if n.resumed != want_resume {
        return fail(format!(
            "session was{} resumed, expected the opposite",
            if n.resumed { "" } else { " not" }
        ));
    }
    // BoringSSL: a TLS 1.2 resumption gives a new session only when the
    // server renewed the ticket.
    if o.expect_ticket_renewal
        && is_resume
        && n.version == Some(ProtocolVersion::TLSv1_2)
        && !n.session_stored
    {
        return fail("-expect-ticket-renewal: no renewed ticket was stored");
    }
    if o.expect_hrr && !n.retried {
        return fail("expected a HelloRetryRequest, got none");
    }
    if o.expect_no_hrr && n.retried {
        return fail("expected no HelloRetryRequest, got one");
    }
    if o.expect_extended_master_secret && !n.extended_master_secret {
        return fail("-expect-extended-master-secret: not negotiated");
    }
    if let Some(want) = o.expect_version {
        let got = n.version.map(|v| v.get());
        if got != Some(want) {
            return fail(format!("-expect-version {want}: negotiated {got:?}"));
        }
    }
    if let Some(want) = o.expect_curve_id {
        let got = n.group.map(|g| g.get());
        if got != Some(want) {
            return fail(format!("-expect-curve-id {want}: negotiated {got:?}"));
        }
    }
    if let Some(want) = &o.expect_alpn {
        // BoringSSL compares with the selected protocol, empty for none.
        if n.alpn.as_deref().unwrap_or_default() != want.as_slice() {
            return fail(format!(
                "-expect-alpn {:?}: negotiated {:?}",
                text(want.clone()),
                n.alpn.clone().map(text)
            ));
        }
    }
    if let Some(wire) = &o.expect_advertised_alpn {
        let want = parse_alpn_list(wire)?;
        if n.peer_alpn != want {
            return fail(format!(
                "-expect-advertised-alpn: the client offered {:?}",
                n.peer_alpn.iter().cloned().map(text).collect::<Vec<_>>()
            ));
        }
    }
    if let Some(want) = &o.expect_server_name {
        if n.sni.as_deref() != Some(want.as_str()) {
            return fail(format!("-expect-server-name {want:?}: got {:?}", n.sni));
        }
    }
    if let Some(path) = &o.expect_peer_cert_file {
        let want = CertificateDer::pem_file_iter(path)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| Failure(format!("-expect-peer-cert-file {path:?}: {e}")))?;
        if n.peer_certificates != want {
            return fail(format!(
                "-expect-peer-cert-file: the peer sent {} certificates, not the {} of the file",
                n.peer_certificates.len(),
                want.len()
            ));
        }
    }
    if let Some(want) = &o.expect_client_ca_list {
        let want = parse_names("-expect-client-ca-list", want)?;
        match hooks.client_cert.request().map(|r| r.authorities) {
            Some(got) if got == want => {}
            Some(got) => {
                return fail(format!(
                    "-expect-client-ca-list: the server named {} authorities, expected {}",
                    got.len(),
                    want.len()
                ))
            }
            None if !n.resumed => return fail("-expect-client-ca-list: no CertificateRequest"),
            None => {}
        }
    }
    if !o.server && !o.expect_peer_verify_prefs.is_empty() {
        // Checked, as BoringSSL does, when a certificate is asked for (a
        // server's check is in Credentials::check: its resolver sees the
        // ClientHello's list).
        let got: Option<Vec<u16>> = hooks
            .client_cert
            .request()
            .map(|r| r.schemes.iter().map(|s| s.get()).collect());
        match got {
            Some(got) if got == o.expect_peer_verify_prefs => {}
            None if n.resumed => {}
            got => {
                return fail(format!(
                    "-expect-peer-verify-pref {:?}: the CertificateRequest listed {got:?}",
                    o.expect_peer_verify_prefs
                ))
            }
        }
    }
    ocsp::check_expected(o, n.ocsp_response.as_deref()).map_err(Failure)?;
    ocsp::check_expected_sct(o, n.sct_list.as_deref()).map_err(Failure)?;
    if let Some(want) = o.expect_peer_signature_algorithm {
        let got = n.peer_signature_scheme.map(|s| s.get());
        if got != Some(want) {
            return fail(format!(
                "-expect-peer-signature-algorithm {want}: peer used {got:?}"
            ));
        }
    }
    Ok(())
}

/// Reads until the peer's close_notify. An EOF without one is an error only
/// with `-check-close-notify`.
async fn read_to_close<IO>(o: &Opts, tls: &mut TlsStream<IO>) -> Result<(), Failure>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let mut buf = [0u8; 512];
    loop {
        match tls.read(&mut buf).await {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e)
                if !o.check_close_notify
                    && matches!(Error::from_io(&e), Some(Error::Truncated)) =>
            {
                return Ok(())
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// How long the shim waits, after a failed write, for the alert that says
/// why the peer stopped reading; and after its own failure, for the peer to
/// read our alert and close.
const LINGER: Duration = Duration::from_secs(1);

/// Writes and flushes `data`. A write that fails at the transport (broken
/// pipe, reset) usually means the peer refused something and closed after
/// sending an alert: that alert, not "broken pipe", is what to report.
async fn send<IO>(tls: &mut TlsStream<IO>, data: &[u8]) -> Result<(), Failure>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let e = match async {
        tls.write_all(data).await?;
        tls.flush().await
    }
    .await
    {
        Ok(()) => return Ok(()),
        Err(e) => e,
    };
    if Error::from_io(&e).is_some() {
        return Err(e.into());
    }
    Err(peer_alert(tls).await.unwrap_or_else(|| e.into()))
}

/// Reads (bounded by [`LINGER`] and a record count) until the peer's data
/// ends in an error, which is returned: usually its alert.
async fn peer_alert<IO>(tls: &mut TlsStream<IO>) -> Option<Failure>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let deadline = tokio::time::Instant::now() + LINGER;
    let mut buf = [0u8; 512];
    for _ in 0..64 {
        match tokio::time::timeout_at(deadline, tls.read(&mut buf)).await {
            Ok(Ok(0)) | Err(_) => return None,
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Error::from_io(&e).map(|tls| tls.clone().into()),
        }
    }
    None
}

/// After the handshake: checks, KeyUpdate, exporter, echo and shutdown.
async fn exchange<IO>(
    c: &Conns,
    o: &Opts,
    hooks: &Hooks,
    tls: &mut TlsStream<IO>,
    is_resume: bool,
) -> Result<(), Failure>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    // A client's 0-RTT: its "hello" may be out already, or a rejection
    // moves the connection on to the -on-retry- options.
    let mut o = o;
    let mut hello_sent = false;
    let mut rest = None;
    if !o.server {
        match early::client_outcome(o, tls, is_resume)? {
            early::ClientOutcome::NotOffered => {}
            early::ClientOutcome::Accepted(r) => (hello_sent, rest) = (true, r),
            early::ClientOutcome::Retry => o = &c.retry,
        }
    }
    check_negotiated(o, hooks, tls, is_resume)?;
    early::check(o, tls, is_resume)?;
    if o.key_update {
        tls.update_keys(false)?;
        send(tls, &[]).await?;
    }
    if o.export_keying_material > 0 {
        let mut out = vec![0u8; o.export_keying_material];
        let context = o.use_export_context.then_some(o.export_context.as_slice());
        tls.export_keying_material(&mut out, &o.export_label, context)?;
        send(tls, &out).await?;
    }
    if o.send_alert {
        // BoringSSL's shim sends decompression_failure, which lctls has no
        // name for, and reports success.
        tls.abort(AlertDescription::Unknown(30));
        let _ = tokio::time::timeout(LINGER, tls.flush()).await;
        return Ok(());
    }
    if o.shim_writes_first && !hello_sent {
        send(tls, early::INITIAL_WRITE).await?;
    }
    if let Some(rest) = rest {
        send(tls, &rest).await?;
    }
    // Accepted 0-RTT data is echoed in 0.5-RTT, before the handshake ends.
    early::echo(tls).await?;
    if !o.shim_shuts_down {
        // Echo until the peer closes; 512 bytes at a time (or -read-size), as
        // BoringSSL's shim does, so records are returned over several reads.
        let mut buf = vec![0u8; o.read_size.filter(|&n| n > 0).unwrap_or(512)];
        loop {
            let n = match tls.read(&mut buf).await {
                Ok(0) => break,
                Err(e)
                    if !o.check_close_notify
                        && matches!(Error::from_io(&e), Some(Error::Truncated)) =>
                {
                    break
                }
                Err(e) => return Err(e.into()),
                Ok(n) => n,
            };
            for b in &mut buf[..n] {
                *b ^= 0xff;
            }
            send(tls, &buf[..n]).await?;
        }
    }
    // TLS 1.3 tickets arrive after the handshake: by now they have.
    if o.expect_no_session && tls.negotiated().session_stored {
        return fail("-expect-no-session: the client stored a session");
    }
    early::check_ticket(o, tls)?;
    // Our close_notify. When the peer has already gone, only -check-close-notify
    // cares whether it could be sent.
    let shut = tls.shutdown().await;
    if o.shim_shuts_down && o.check_close_notify {
        shut?;
        read_to_close(o, tls).await?;
    } else if o.check_close_notify {
        shut?;
    }
    Ok(())
}

/// Connects to the runner. Also returns a second handle on the same socket,
/// kept for [`linger`] after the TLS stream (and its handle) is dropped.
async fn connect_tcp(o: &Opts) -> Result<(TcpStream, std::net::TcpStream), Failure> {
    let ip = if o.ipv6 {
        std::net::IpAddr::from(Ipv6Addr::LOCALHOST)
    } else {
        std::net::IpAddr::from(Ipv4Addr::LOCALHOST)
    };
    let mut tcp = TcpStream::connect(SocketAddr::new(ip, o.port))
        .await
        .map_err(|e| Failure(format!("connecting to port {}: {e}", o.port)))?;
    tcp.set_nodelay(true)?;
    tcp.write_all(&o.shim_id.to_le_bytes()).await?;
    let std = tcp.into_std()?;
    let spare = std.try_clone()?;
    Ok((TcpStream::from_std(std)?, spare))
}

/// After a failure, once our alert is out: half-close and read what the
/// runner still sends until it closes (or [`LINGER`] passes). Exiting at
/// once would close a socket with unread data, which sends a reset; the
/// runner, often still writing, would then see "broken pipe" and never read
/// our alert.
fn linger(spare: std::net::TcpStream) {
    use std::io::Read;
    // The TLS stream's handle is gone, so nothing else uses this socket.
    if spare.set_nonblocking(false).is_err() || spare.shutdown(std::net::Shutdown::Write).is_err() {
        return;
    }
    let deadline = std::time::Instant::now() + LINGER;
    let mut spare = spare;
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() || spare.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match spare.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// One connection after its handshake: the exchange, and on failure a
/// bounded flush of the alert the failure queued before the stream goes.
async fn session<IO>(
    c: &Conns,
    o: &Opts,
    hooks: &Hooks,
    handshake: std::io::Result<TlsStream<IO>>,
    is_resume: bool,
) -> Result<(), Failure>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let mut tls = handshake?;
    if let Some(creds) = &hooks.credentials {
        creds.check(o)?;
    }
    let r = exchange(c, o, hooks, &mut tls, is_resume).await;
    if r.is_err() {
        let _ = tokio::time::timeout(Duration::from_millis(200), tls.flush()).await;
    }
    r
}

async fn run(c: Conns) -> Result<(), Failure> {
    // One configuration for every connection (see flags::check_per_connection).
    let mut hooks = Hooks::default();
    let role = build_role(&c.initial, &mut hooks)?;
    for i in 0..=c.initial.resume_count {
        let o = c.get(i);
        let is_resume = i > 0;
        hooks.begin(o);
        let (tcp, spare) = connect_tcp(o).await?;
        // A failed handshake has already flushed its alert (best effort).
        let handshake = match &role {
            Role::Client(conn, name) => early::connect(o, conn, name.clone(), tcp).await,
            Role::Server(a) if c.initial.enable_early_data => a.accept_with_early_data(tcp).await,
            Role::Server(a) => a.accept(tcp).await,
        };
        let r = session(&c, o, &hooks, handshake, is_resume).await;
        if let Err(f) = r {
            linger(spare);
            return Err(f);
        }
        if o.send_alert {
            // Our alert ended the connection while the runner may still be
            // writing (a TLS 1.3 ticket): drain, as after a failure.
            linger(spare);
        }
        hooks.clock.advance(o.resumption_delay);
    }
    Ok(())
}

fn main() {
    let args: Vec<Vec<u8>> = std::env::args_os().skip(1).map(os_bytes).collect();
    let conns = match parse_args(&args).and_then(|c| {
        if !c.initial.is_handshaker_supported {
            check_per_connection(&c)?;
            early::check_conns(&c)?;
            check_supported(&c.initial)?;
            if c.initial.resume_count > 0 {
                check_supported(&c.resume)?;
            }
        }
        Ok(c)
    }) {
        Ok(c) => c,
        Err(ParseError::Unimplemented(why)) => {
            if std::env::var_os("LCTLS_BOGO_VERBOSE").is_some() {
                eprintln!("unimplemented: {why}");
            }
            exit(UNIMPLEMENTED)
        }
        Err(ParseError::Usage(m)) => {
            eprintln!("{m}");
            exit(1);
        }
    };
    if conns.initial.is_handshaker_supported {
        println!("No");
        exit(0);
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tokio runtime: {e}");
            exit(1);
        }
    };
    match rt.block_on(run(conns)) {
        Ok(()) => exit(0),
        Err(Failure(m)) => {
            eprintln!("{m}");
            exit(1);
        }
    }
}
