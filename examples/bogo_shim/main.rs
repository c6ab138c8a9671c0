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
//! Every flag the shim knows is one line in `flags::FLAGS`; every error name is
//! one arm in `errors::boringssl_error_name`.
//!
//! Run it from a BoringSSL checkout:
//!
//! ```text
//! cargo build --example bogo_shim
//! cd boringssl/ssl/test/runner && go test -shim-path /path/to/target/debug/examples/bogo_shim
//! ```

mod errors;
mod flags;
mod verify;

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::exit;
use std::sync::Arc;

use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
use lctls::pki::{RootStore, ServerName};
use lctls::proto::wire::enums::NamedGroup;
use lctls::{Error, TlsAcceptor, TlsConnector, TlsStream};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use errors::{fail, Failure};
use flags::{check_supported, os_bytes, parse_args, text, versions, Opts, ParseError};
use verify::{SchemePrefs, ShimClientVerifier, ShimServerVerifier};

/// BoGo reads this exit status as "unimplemented": the test is skipped.
const UNIMPLEMENTED: i32 = 89;

/// Splits an ALPN protocol_name_list ("\x03foo\x03bar") into names.
fn parse_alpn_list(mut wire: &[u8]) -> Result<Vec<Vec<u8>>, Failure> {
    let mut out = Vec::new();
    while let Some((&len, rest)) = wire.split_first() {
        let len = usize::from(len);
        if len == 0 || rest.len() < len {
            return fail("-advertise-alpn: malformed protocol list");
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
    let Some(p) = &o.trust_cert else {
        return Ok(None);
    };
    let mut roots = RootStore::new();
    roots.add_pem_file(p)?;
    Ok(Some(Arc::new(roots)))
}

fn certified_key(o: &Opts) -> Result<Option<CertifiedKey>, Failure> {
    match (&o.cert_file, &o.key_file) {
        (Some(c), Some(k)) => Ok(Some(CertifiedKey::from_pem_files(c, k)?)),
        (None, None) => Ok(None),
        _ => fail("-cert-file and -key-file go together"),
    }
}

fn build_role(o: &Opts) -> Result<Role, Failure> {
    let roots = load_roots(o)?;
    let prefs = SchemePrefs::from_flags(&o.verify_prefs);
    let groups: Vec<NamedGroup> = o.curves.iter().map(|&g| NamedGroup::from(g)).collect();
    let versions = versions(o);
    if o.server {
        let key = certified_key(o)?.ok_or_else(|| Failure("a server needs -cert-file".into()))?;
        let mut b = ServerConfig::builder()
            .with_certified_key(key)
            .with_protocol_versions(&versions);
        if !groups.is_empty() {
            b = b.with_groups(&groups);
        }
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
            }));
        }
        Ok(Role::Server(TlsAcceptor::from(Arc::new(b.build()?))))
    } else {
        let verifier = ShimServerVerifier { roots, prefs };
        let mut b = ClientConfig::builder()
            .dangerous()
            .with_custom_verifier(Arc::new(verifier))
            .with_protocol_versions(&versions);
        if !groups.is_empty() {
            b = b.with_groups(&groups);
        }
        if let Some(wire) = &o.advertise_alpn {
            b = b.with_alpn_protocols(&parse_alpn_list(wire)?);
        }
        if let Some(n) = o.max_send_fragment {
            b = b.with_max_fragment_size(n);
        }
        if let Some(key) = certified_key(o)? {
            b = b.with_client_cert(key);
        }
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
fn check_negotiated<IO>(o: &Opts, tls: &TlsStream<IO>, is_resume: bool) -> Result<(), Failure> {
    let n = tls.negotiated();
    let want_resume = is_resume && !o.expect_session_miss;
    if n.resumed != want_resume {
        return fail(format!(
            "session was{} resumed, expected the opposite",
            if n.resumed { "" } else { " not" }
        ));
    }
    if o.expect_hrr && !n.retried {
        return fail("expected a HelloRetryRequest, got none");
    }
    if o.expect_no_hrr && n.retried {
        return fail("expected no HelloRetryRequest, got one");
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
        if n.alpn.as_deref() != Some(want.as_slice()) {
            return fail(format!(
                "-expect-alpn {:?}: negotiated {:?}",
                text(want.clone()),
                n.alpn.clone().map(text)
            ));
        }
    }
    if let Some(want) = &o.expect_server_name {
        if n.sni.as_deref() != Some(want.as_str()) {
            return fail(format!("-expect-server-name {want:?}: got {:?}", n.sni));
        }
    }
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

/// After the handshake: checks, KeyUpdate, exporter, echo and shutdown.
async fn exchange<IO>(o: &Opts, tls: &mut TlsStream<IO>, is_resume: bool) -> Result<(), Failure>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    check_negotiated(o, tls, is_resume)?;
    if o.key_update {
        tls.update_keys(false)?;
        tls.flush().await?;
    }
    if o.export_keying_material > 0 {
        let mut out = vec![0u8; o.export_keying_material];
        let context = o.use_export_context.then_some(o.export_context.as_slice());
        tls.export_keying_material(&mut out, &o.export_label, context)?;
        tls.write_all(&out).await?;
        tls.flush().await?;
    }
    if o.shim_writes_first {
        tls.write_all(b"hello").await?;
        tls.flush().await?;
    }
    if !o.shim_shuts_down {
        // Echo until the peer closes; 512 bytes at a time, as BoringSSL's
        // shim does, so records are returned over several reads.
        let mut buf = [0u8; 512];
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
            tls.write_all(&buf[..n]).await?;
            tls.flush().await?;
        }
    }
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

async fn connect_tcp(o: &Opts) -> Result<TcpStream, Failure> {
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
    Ok(tcp)
}

async fn run(o: Opts) -> Result<(), Failure> {
    let role = build_role(&o)?;
    for i in 0..=o.resume_count {
        let is_resume = i > 0;
        let tcp = connect_tcp(&o).await?;
        match &role {
            Role::Client(c, name) => {
                let mut tls = c.connect(name.clone(), tcp).await?;
                exchange(&o, &mut tls, is_resume).await?;
            }
            Role::Server(a) => {
                let mut tls = a.accept(tcp).await?;
                exchange(&o, &mut tls, is_resume).await?;
            }
        }
    }
    Ok(())
}

fn main() {
    let args: Vec<Vec<u8>> = std::env::args_os().skip(1).map(os_bytes).collect();
    let opts = match parse_args(&args).and_then(|o| {
        if !o.is_handshaker_supported {
            check_supported(&o)?;
        }
        Ok(o)
    }) {
        Ok(o) => o,
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
    if opts.is_handshaker_supported {
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
    match rt.block_on(run(opts)) {
        Ok(()) => exit(0),
        Err(Failure(m)) => {
            eprintln!("{m}");
            exit(1);
        }
    }
}
