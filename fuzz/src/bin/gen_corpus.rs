//! Builds the seed corpora of every fuzz target from real handshakes.
//!
//! Run it from a `cargo fuzz build -s none` build (it is one of the fuzz
//! crate's binaries), so that it shares the fuzz targets' fixed randomness:
//!
//! ```text
//! cargo fuzz build -s none
//! fuzz/target/x86_64-unknown-linux-gnu/release/gen_corpus fuzz/corpus
//! ```
//!
//! It records what each side sends in full connections: lctls against
//! lctls (every server and client variant, HelloRetryRequest, mTLS, TLS 1.2,
//! TLS 1.3 and TLS 1.2 ticket resumption), lctls against rustls (in memory),
//! against openssl s_client/s_server and gnutls-cli/gnutls-serv (loopback
//! TCP); and it adds the RFC 8448 messages and records
//! (/work/shared/vectors/rfc8448.txt, or $RFC8448), the test PKI's chains,
//! CRLs signed by the test CAs, and sealed session plaintexts. Because our
//! side is deterministic in this build, a recorded peer flight replays into
//! the server and client targets and completes the handshake again.
//! A peer binary that is missing is skipped with a note.

// The instrumented build needs the sanitizer-coverage hooks of libFuzzer,
// though this program never fuzzes.
extern crate libfuzzer_sys;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lctls::config::ClientConfig;
use lctls::pki::ServerName;
use lctls::proto::conn::Connection;
use lctls::proto::wire::enums::{NamedGroup, ProtocolVersion};
use lctls_fuzz::{
    certified_key, certs, client_config, pem, roots, server_config, split_records, time, Plan,
    CLIENT_VARIANTS, NOW, SERVER_VARIANTS,
};

/// What each side sent in one connection.
#[derive(Default)]
struct Recording {
    name: String,
    to_server: Vec<u8>,
    to_client: Vec<u8>,
}

/// Writes corpus files, one per distinct input, named by a hash.
struct Out {
    root: PathBuf,
    seen: BTreeSet<(String, Vec<u8>)>,
    replayed: [(usize, usize); 2],
}

/// Does this connection-target input complete the handshake when fed to a
/// fresh connection, as the fuzz target does?
fn completes(server: bool, input: &[u8]) -> bool {
    let Some((&plan, stream)) = input.split_first() else {
        return false;
    };
    let plan = Plan::from_byte(plan);
    let mut c = if server {
        Connection::new_server(server_config(plan.variant))
    } else {
        lctls_fuzz::new_client(plan.variant)
    };
    c.feed(stream);
    let _ = c.process();
    !c.is_handshaking() && c.negotiated().version.is_some()
}

impl Out {
    fn put(&mut self, target: &str, bytes: Vec<u8>) {
        if bytes.is_empty() || !self.seen.insert((target.to_string(), bytes.clone())) {
            return;
        }
        if target == "server" || target == "client" {
            self.replayed[usize::from(target == "client")].0 += 1;
            if completes(target == "server", &bytes) {
                self.replayed[usize::from(target == "client")].1 += 1;
            }
        }
        let dir = self.root.join(target);
        std::fs::create_dir_all(&dir).expect("corpus dir");
        // FNV-1a: a stable name without a hashing dependency.
        let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        std::fs::write(dir.join(format!("{h:016x}")), &bytes).expect("write seed");
    }
}

fn with_plan(variant: u8, stream: &[u8]) -> Vec<u8> {
    [&[Plan::byte(variant)][..], stream].concat()
}

// ------------------------------------------------------------ in memory

fn localhost() -> ServerName<'static> {
    ServerName::try_from("localhost").expect("name")
}

/// Steps two sans-IO endpoints until both are quiet; `client_first` says
/// who holds the first flight.
fn run_pair(c: &mut Connection, s: &mut Connection, rec: &mut Recording) {
    let mut step = |c: &mut Connection, s: &mut Connection| {
        let out = c.take_outgoing();
        rec.to_server.extend_from_slice(&out);
        s.feed(&out);
        let _ = s.process();
        let out = s.take_outgoing();
        rec.to_client.extend_from_slice(&out);
        c.feed(&out);
        let _ = c.process();
    };
    for _ in 0..20 {
        step(c, s);
        if !c.is_handshaking() && !s.is_handshaking() && c.outgoing_len() == 0 {
            break;
        }
    }
    if c.error().is_some() || s.error().is_some() {
        eprintln!("note: {}: {:?} / {:?}", rec.name, c.error(), s.error());
        return;
    }
    let _ = c.write_plaintext(b"hello from the client");
    let _ = s.write_plaintext(b"hello from the server");
    step(c, s);
    if c.negotiated().version == Some(ProtocolVersion::TLSv1_3) {
        let _ = c.update_keys(true);
        let _ = c.write_plaintext(b"after the key update");
        step(c, s);
        let _ = s.write_plaintext(b"answer");
        step(c, s);
    }
    let mut buf = [0u8; 1024];
    while c.read_plaintext(&mut buf) > 0 {}
    while s.read_plaintext(&mut buf) > 0 {}
    c.send_close_notify();
    s.send_close_notify();
    step(c, s);
}

fn ours_vs_ours() -> Vec<(u8, u8, Recording)> {
    let mut out = Vec::new();
    for sv in 0..SERVER_VARIANTS.len() as u8 {
        for cv in 0..CLIENT_VARIANTS.len() as u8 {
            let cfg = if SERVER_VARIANTS[usize::from(sv)] == "mtls" {
                Arc::new(mtls_client(cv))
            } else {
                client_config(cv)
            };
            let mut c = Connection::new_client(cfg, localhost()).expect("client");
            let mut s = Connection::new_server(server_config(sv));
            let mut rec = Recording {
                name: format!(
                    "lctls {} vs lctls {}",
                    CLIENT_VARIANTS[usize::from(cv)],
                    SERVER_VARIANTS[usize::from(sv)]
                ),
                ..Default::default()
            };
            run_pair(&mut c, &mut s, &mut rec);
            out.push((sv, cv, rec));
        }
    }
    // Resumption: a client with a session cache, twice against the same
    // (deterministic) server; the second ClientHello carries the ticket.
    for v in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
        let cc = Arc::new(
            ClientConfig::builder()
                .with_root_store(roots())
                .with_time_provider(time())
                .with_protocol_versions(&[v])
                .build()
                .expect("client"),
        );
        for round in 0..2 {
            let mut c = Connection::new_client(cc.clone(), localhost()).expect("client");
            let mut s = Connection::new_server(server_config(0));
            let mut rec = Recording {
                name: format!("lctls resumption {v:?} round {round}"),
                ..Default::default()
            };
            run_pair(&mut c, &mut s, &mut rec);
            if round == 1 && !s.negotiated().resumed {
                eprintln!("note: {} did not resume", rec.name);
            }
            out.push((0, 0, rec));
        }
    }
    out
}

fn mtls_client(variant: u8) -> ClientConfig {
    let mut b = ClientConfig::builder()
        .with_root_store(roots())
        .with_time_provider(time())
        .with_session_cache_size(0)
        .with_client_cert(certified_key(pem::CLIENT, pem::CLIENT_KEY));
    if CLIENT_VARIANTS[usize::from(variant)] == "tls12" {
        b = b.with_protocol_versions(&[ProtocolVersion::TLSv1_2]);
    }
    if CLIENT_VARIANTS[usize::from(variant)] == "tls13-hrr" {
        b = b.with_groups(&[NamedGroup::X25519, NamedGroup::secp256r1]);
    }
    b.build().expect("mtls client")
}

// --------------------------------------------------------------- rustls

fn rustls_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn rustls_roots() -> rustls::RootCertStore {
    let mut r = rustls::RootCertStore::empty();
    for c in certs(pem::CA) {
        r.add(c).expect("root");
    }
    r
}

fn rustls_versions(tls12: bool) -> &'static [&'static rustls::SupportedProtocolVersion] {
    static V12: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS12];
    static V13: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS13];
    if tls12 {
        V12
    } else {
        V13
    }
}

/// Pumps bytes between our connection and a rustls one, in memory.
fn pump_rustls(ours: &mut Connection, peer: &mut rustls::Connection, rec: &mut Recording) {
    let ours_client = ours.side() == lctls::proto::conn::Side::Client;
    let mut talked = false;
    for _ in 0..30 {
        let out = ours.take_outgoing();
        if ours_client {
            rec.to_server.extend_from_slice(&out);
        } else {
            rec.to_client.extend_from_slice(&out);
        }
        let mut rd = &out[..];
        while !rd.is_empty() {
            if peer.read_tls(&mut rd).is_err() {
                break;
            }
        }
        if peer.process_new_packets().is_err() {
            let mut v = Vec::new();
            let _ = peer.write_tls(&mut v);
            break;
        }
        if !peer.is_handshaking() && !talked {
            let _ = peer.writer().write_all(b"hello from rustls");
        }
        let mut buf = [0u8; 4096];
        let _ = peer.reader().read(&mut buf);
        let mut v = Vec::new();
        while peer.wants_write() {
            if peer.write_tls(&mut v).is_err() {
                break;
            }
        }
        if ours_client {
            rec.to_client.extend_from_slice(&v);
        } else {
            rec.to_server.extend_from_slice(&v);
        }
        ours.feed(&v);
        if ours.process().is_err() {
            break;
        }
        if !ours.is_handshaking() && !talked && !peer.is_handshaking() {
            talked = true;
            let _ = ours.write_plaintext(b"hello from lctls");
            peer.send_close_notify();
            ours.send_close_notify();
        }
        while ours.read_plaintext(&mut buf) > 0 {}
        if v.is_empty() && ours.outgoing_len() == 0 && talked {
            break;
        }
    }
    let _ = ours.take_outgoing();
}

fn ours_vs_rustls() -> Vec<(u8, bool, Recording)> {
    let mut out = Vec::new();
    for tls12 in [false, true] {
        // rustls client -> our server.
        let cfg = rustls::ClientConfig::builder_with_provider(rustls_provider())
            .with_protocol_versions(rustls_versions(tls12))
            .expect("versions")
            .with_root_certificates(rustls_roots())
            .with_no_client_auth();
        let mut peer = rustls::Connection::Client(
            rustls::ClientConnection::new(
                Arc::new(cfg),
                rustls_pki_types::ServerName::try_from("localhost").expect("name"),
            )
            .expect("rustls client"),
        );
        let mut s = Connection::new_server(server_config(0));
        let mut rec = Recording {
            name: format!("rustls client tls12={tls12}"),
            ..Default::default()
        };
        pump_rustls(&mut s, &mut peer, &mut rec);
        out.push((0, true, rec));

        // Our client -> rustls server (ECDSA certificate).
        let chain = certs(pem::SERVER);
        let key = rustls_pki_types::PrivateKeyDer::from_pem_slice(pem::SERVER_KEY).expect("key");
        let cfg = rustls::ServerConfig::builder_with_provider(rustls_provider())
            .with_protocol_versions(rustls_versions(tls12))
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("rustls server");
        let mut peer = rustls::Connection::Server(
            rustls::ServerConnection::new(Arc::new(cfg)).expect("rustls server"),
        );
        let mut c = lctls_fuzz::new_client(0);
        let mut rec = Recording {
            name: format!("rustls server tls12={tls12}"),
            ..Default::default()
        };
        pump_rustls(&mut c, &mut peer, &mut rec);
        out.push((0, false, rec));
    }
    out
}

use rustls_pki_types::pem::PemObject;

// ------------------------------------------------------ openssl, gnutls

/// Runs our connection over a TCP socket until the peer closes, the
/// exchange is done or `limit` passes; returns (bytes read, bytes written).
fn run_socket(conn: &mut Connection, sock: &mut TcpStream, limit: Duration) -> (Vec<u8>, Vec<u8>) {
    let (mut got, mut sent) = (Vec::new(), Vec::new());
    sock.set_read_timeout(Some(Duration::from_millis(100)))
        .expect("timeout");
    let start = Instant::now();
    let mut talked = false;
    let mut buf = vec![0u8; 32 * 1024];
    while start.elapsed() < limit {
        let out = conn.take_outgoing();
        if !out.is_empty() {
            sent.extend_from_slice(&out);
            if sock.write_all(&out).is_err() {
                break;
            }
        }
        match sock.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                conn.feed(&buf[..n]);
                if conn.process().is_err() {
                    let out = conn.take_outgoing();
                    sent.extend_from_slice(&out);
                    let _ = sock.write_all(&out);
                    break;
                }
                while conn.read_plaintext(&mut buf) > 0 {}
                if conn.received_close_notify() {
                    conn.send_close_notify();
                    let out = conn.take_outgoing();
                    sent.extend_from_slice(&out);
                    let _ = sock.write_all(&out);
                    break;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
        if !conn.is_handshaking() && !talked && conn.error().is_none() {
            talked = true;
            let _ = conn.write_plaintext(b"hello from lctls\n");
        }
    }
    (got, sent)
}

fn have(bin: &str) -> bool {
    Command::new(bin)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn certs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../certs")
}

/// A real client connects to our server (variant `sv`).
fn peer_client(name: &str, sv: u8, cmd: Cmd) -> Option<Recording> {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let mut child = spawn(&cmd, port)?;
    listener.set_nonblocking(true).expect("nonblocking");
    let start = Instant::now();
    let mut sock = loop {
        match listener.accept() {
            Ok((s, _)) => break s,
            Err(_) if start.elapsed() < Duration::from_secs(5) => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(_) => {
                eprintln!("note: {name} never connected");
                let _ = child.kill();
                return None;
            }
        }
    };
    sock.set_nonblocking(false).expect("blocking");
    // The peer's stdin: a line of data, closed after a moment (which makes
    // it send close_notify and exit).
    if let Some(mut stdin) = child.stdin.take() {
        std::thread::spawn(move || {
            let _ = stdin.write_all(b"hello from the peer\n");
            std::thread::sleep(Duration::from_millis(700));
        });
    }
    let mut conn = Connection::new_server(server_config(sv));
    let (got, sent) = run_socket(&mut conn, &mut sock, Duration::from_secs(3));
    let _ = child.kill();
    let _ = child.wait();
    Some(Recording {
        name: format!("{name}: {:?}", conn.error()),
        to_server: got,
        to_client: sent,
    })
}

/// Our client (variant 0) connects to a real server started by `cmd`.
fn peer_server(name: &str, cmd: Cmd) -> Option<Recording> {
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut child = spawn(&cmd, port)?;
    let start = Instant::now();
    let mut sock = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => break s,
            Err(_) if start.elapsed() < Duration::from_secs(5) => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Err(_) => {
                eprintln!("note: {name} never listened");
                let _ = child.kill();
                return None;
            }
        }
    };
    let mut conn = lctls_fuzz::new_client(0);
    let (got, sent) = run_socket(&mut conn, &mut sock, Duration::from_secs(2));
    let _ = child.kill();
    let _ = child.wait();
    Some(Recording {
        name: format!("{name}: {:?}", conn.error()),
        to_server: sent,
        to_client: got,
    })
}

/// A peer program and its arguments; "PORT" stands for the port.
type Cmd = (&'static str, Vec<&'static str>);

/// Starts a peer in certs/ with its arguments' "PORT" replaced.
fn spawn(cmd: &Cmd, port: u16) -> Option<Child> {
    if !have(cmd.0) {
        eprintln!("note: {} is missing; skipped", cmd.0);
        return None;
    }
    Command::new(cmd.0)
        .args(cmd.1.iter().map(|a| a.replace("PORT", &port.to_string())))
        .current_dir(certs_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()
}

fn command(prog: &'static str, args: &[&'static str]) -> Cmd {
    (prog, args.to_vec())
}

fn external_peers() -> (Vec<(u8, Recording)>, Vec<Recording>) {
    let mut to_ours_server = Vec::new();
    let mut to_ours_client = Vec::new();
    let s_client = |extra: &[&'static str]| {
        let mut a = vec![
            "s_client",
            "-connect",
            "127.0.0.1:PORT",
            "-servername",
            "localhost",
            "-CAfile",
            "ca.pem",
        ];
        a.extend_from_slice(extra);
        command("openssl", &a)
    };
    let cli = |extra: &[&'static str]| {
        let mut a = vec!["-p", "PORT", "--x509cafile", "ca.pem", "localhost"];
        a.extend_from_slice(extra);
        command("gnutls-cli", &a)
    };
    let runs: Vec<(&str, u8, Cmd)> = vec![
        ("openssl s_client tls13", 0, s_client(&["-tls1_3"])),
        ("openssl s_client tls12", 0, s_client(&["-tls1_2"])),
        (
            "openssl s_client mtls",
            1,
            s_client(&[
                "-cert",
                "client.pem",
                "-cert_chain",
                "client.pem",
                "-key",
                "client.key",
            ]),
        ),
        (
            "openssl s_client hrr",
            3,
            s_client(&["-tls1_3", "-groups", "X25519:P-256"]),
        ),
        (
            "openssl s_client alpn",
            4,
            s_client(&["-alpn", "h2,http/1.1"]),
        ),
        ("gnutls-cli tls13", 0, cli(&[])),
        (
            "gnutls-cli tls12",
            0,
            cli(&["--priority", "NORMAL:-VERS-TLS1.3"]),
        ),
        (
            "gnutls-cli mtls",
            1,
            cli(&[
                "--x509certfile",
                "client.pem",
                "--x509keyfile",
                "client.key",
            ]),
        ),
    ];
    for (name, sv, cmd) in runs {
        if let Some(r) = peer_client(name, sv, cmd) {
            eprintln!("recorded {}", r.name);
            to_ours_server.push((sv, r));
        }
    }
    let s_server = |extra: &[&'static str]| {
        let mut a = vec![
            "s_server",
            "-accept",
            "PORT",
            "-cert",
            "server.pem",
            "-cert_chain",
            "server.pem",
            "-key",
            "server.key",
            "-naccept",
            "1",
            "-rev",
        ];
        a.extend_from_slice(extra);
        command("openssl", &a)
    };
    let serv = |extra: &[&'static str]| {
        let mut a = vec![
            "-p",
            "PORT",
            "--x509certfile",
            "server.pem",
            "--x509keyfile",
            "server.key",
            "--echo",
        ];
        a.extend_from_slice(extra);
        command("gnutls-serv", &a)
    };
    let runs: Vec<(&str, Cmd)> = vec![
        ("openssl s_server tls13", s_server(&["-tls1_3"])),
        ("openssl s_server tls12", s_server(&["-tls1_2"])),
        ("openssl s_server hrr", s_server(&["-groups", "P-256"])),
        ("gnutls-serv tls13", serv(&[])),
        (
            "gnutls-serv tls12",
            serv(&["--priority", "NORMAL:-VERS-TLS1.3"]),
        ),
    ];
    for (name, cmd) in runs {
        if let Some(r) = peer_server(name, cmd) {
            eprintln!("recorded {}", r.name);
            to_ours_client.push(r);
        }
    }
    (to_ours_server, to_ours_client)
}

// ------------------------------------------------ messages and others

/// Handshake messages sent in the clear: the handshake records before the
/// first change_cipher_spec or encrypted record.
fn plaintext_messages(stream: &[u8]) -> Vec<Vec<u8>> {
    let mut joined = Vec::new();
    for r in split_records(stream) {
        if r.len() < 5 || r[0] != 22 {
            break;
        }
        joined.extend_from_slice(&r[5..]);
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= joined.len() {
        let n = 4
            + (usize::from(joined[i + 1]) << 16
                | usize::from(joined[i + 2]) << 8
                | usize::from(joined[i + 3]));
        if i + n > joined.len() {
            break;
        }
        out.push(joined[i..i + n].to_vec());
        i += n;
    }
    out
}

/// hello_ext inputs for one handshake message: the body for its decoder,
/// and extension blocks cut out of hellos.
fn hello_ext_seeds(msg: &[u8], out: &mut Out) {
    let body = &msg[4..];
    let sel = match msg[0] {
        1 => 0,
        2 => 1,
        8 => 5,
        11 => 6,
        13 => 7,
        15 => 8,
        4 => 9,
        _ => return,
    };
    out.put("hello_ext", [&[sel][..], body].concat());
    // Extension blocks: after version, random, session id, suites and
    // compression (ClientHello) or suite and compression (ServerHello).
    let skip = |b: &[u8], client: bool| -> Option<usize> {
        let sid = usize::from(*b.get(34)?);
        let mut i = 35 + sid;
        if client {
            i += 2 + (usize::from(*b.get(i)?) << 8 | usize::from(*b.get(i + 1)?));
            i += 1 + usize::from(*b.get(i)?);
        } else {
            i += 3;
        }
        (i <= b.len()).then_some(i)
    };
    match msg[0] {
        1 => {
            if let Some(i) = skip(body, true) {
                out.put("hello_ext", [&[2][..], &body[i..]].concat());
            }
        }
        2 => {
            if let Some(i) = skip(body, false) {
                let hrr = body.get(2..34) == Some(&lctls::proto::wire::hello::HRR_RANDOM[..]);
                out.put(
                    "hello_ext",
                    [&[if hrr { 4 } else { 3 }][..], &body[i..]].concat(),
                );
            }
        }
        _ => {}
    }
}

/// `name = hex` values of the RFC 8448 trace.
fn rfc8448() -> Vec<(String, Vec<u8>)> {
    let path =
        std::env::var("RFC8448").unwrap_or_else(|_| "/work/shared/vectors/rfc8448.txt".into());
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("note: {path} not found; RFC 8448 seeds skipped");
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| {
            let (name, hex) = l.split_once(" = ")?;
            let hex = hex.trim();
            if hex.len() % 2 != 0 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
                .collect::<Option<Vec<u8>>>()?;
            Some((name.trim().to_string(), bytes))
        })
        .collect()
}

fn x509_seed(flags: u8, chain: &[&[u8]]) -> Vec<u8> {
    let mut v = vec![flags];
    for c in chain {
        v.extend_from_slice(&(c.len() as u16).to_be_bytes());
        v.extend_from_slice(c);
    }
    v
}

fn crls() -> Vec<Vec<u8>> {
    use rcgen::{
        date_time_ymd, BasicConstraints, CertificateParams, CertificateRevocationListParams,
        DistinguishedName, DnType, IsCa, KeyIdMethod, KeyPair, RevokedCertParams, SerialNumber,
    };
    let server = x509_cert::Certificate::from_der(certs(pem::SERVER)[0].as_ref()).ok();
    let serial = server
        .map(|c| c.tbs_certificate.serial_number.as_bytes().to_vec())
        .unwrap_or_else(|| vec![1]);
    let issuer = |cn: &str, key: &[u8]| {
        let key = KeyPair::from_pem(std::str::from_utf8(key).expect("pem")).expect("key");
        let mut p = CertificateParams::default();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "lctls test");
        dn.push(DnType::CommonName, cn);
        p.distinguished_name = dn;
        let cert = p.self_signed(&key).expect("issuer");
        (cert, key)
    };
    let mut out = Vec::new();
    for (cn, key) in [
        ("lctls test intermediate CA", pem::INTER_KEY),
        ("lctls test root CA", pem::CA_KEY),
    ] {
        let (cert, key) = issuer(cn, key);
        for revoked in [
            vec![SerialNumber::from_slice(&serial)],
            vec![],
            vec![SerialNumber::from(2u64)],
        ] {
            let crl = CertificateRevocationListParams {
                this_update: date_time_ymd(2026, 12, 1),
                next_update: date_time_ymd(2027, 6, 1),
                crl_number: SerialNumber::from(1u64),
                issuing_distribution_point: None,
                revoked_certs: revoked
                    .into_iter()
                    .map(|serial_number| RevokedCertParams {
                        serial_number,
                        revocation_time: date_time_ymd(2026, 12, 1),
                        reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                        invalidity_date: None,
                    })
                    .collect(),
                key_identifier_method: KeyIdMethod::Sha256,
            }
            .signed_by(&cert, &key)
            .expect("crl");
            out.push(crl.der().to_vec());
        }
    }
    out
}

use x509_cert::der::Decode;

fn main() {
    let root = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"));
    let mut out = Out {
        root: root.clone(),
        seen: BTreeSet::new(),
        replayed: [(0, 0); 2],
    };
    let mut streams: Vec<Vec<u8>> = Vec::new();

    for (sv, cv, r) in ours_vs_ours() {
        out.put("server", with_plan(sv, &r.to_server));
        out.put("client", with_plan(cv, &r.to_client));
        streams.push(r.to_server);
        streams.push(r.to_client);
    }
    for (sv, to_server, r) in ours_vs_rustls() {
        if to_server {
            out.put("server", with_plan(sv, &r.to_server));
        } else {
            out.put("client", with_plan(0, &r.to_client));
        }
        eprintln!(
            "recorded {} ({} + {} bytes)",
            r.name,
            r.to_server.len(),
            r.to_client.len()
        );
        streams.push(r.to_server);
        streams.push(r.to_client);
    }
    let (servers, clients) = external_peers();
    for (sv, r) in servers {
        out.put("server", with_plan(sv, &r.to_server));
        streams.push(r.to_server);
        streams.push(r.to_client);
    }
    for r in clients {
        out.put("client", with_plan(0, &r.to_client));
        streams.push(r.to_server);
        streams.push(r.to_client);
    }

    // Records and plaintext handshake messages of every stream.
    let mut messages = Vec::new();
    for s in &streams {
        out.put("record", [&[0u8][..], s].concat());
        out.put("record", [&[7u8][..], s].concat());
        messages.extend(plaintext_messages(s));
        if let Some(Ok(lctls::proto::wire::tls12::Handshake12::Certificate(chain))) =
            plaintext_messages(s)
                .iter()
                .find(|m| m[0] == 11)
                .map(|m| lctls::proto::wire::tls12::Handshake12::decode(m))
        {
            let ders: Vec<&[u8]> = chain.iter().map(|c| c.as_ref()).collect();
            out.put("x509", x509_seed(0, &ders));
        }
    }
    for (name, bytes) in rfc8448() {
        if name.ends_with("_message") {
            messages.push(bytes);
        } else if name.ends_with("_record") {
            out.put("record", [&[0u8][..], &bytes].concat());
            if name.starts_with("client_hello") {
                out.put("server", with_plan(0, &bytes));
            }
        }
    }
    for m in &messages {
        if m.len() < 4 {
            continue;
        }
        out.put("handshake13", m.clone());
        out.put("handshake12", m.clone());
        hello_ext_seeds(m, &mut out);
    }

    // The test PKI's chains.
    for (flags, file) in [
        (0u8, "server.pem"),
        (0, "server-ed25519.pem"),
        (0, "server-p384.pem"),
        (0, "server-rsa.pem"),
        (1, "client.pem"),
        (0, "expired.pem"),
        (0, "wrong-name.pem"),
        (0, "untrusted.pem"),
        (8, "ca.pem"),
        (4, "inter.pem"),
    ] {
        let Ok(text) = std::fs::read(certs_dir().join(file)) else {
            continue;
        };
        let chain = certs(&text);
        let ders: Vec<&[u8]> = chain.iter().map(|c| c.as_ref()).collect();
        out.put("x509", x509_seed(flags, &ders));
    }
    for crl in crls() {
        out.put("crl", crl);
    }

    // Session plaintexts in the sealed formats of src/proto/handshake/resume.rs.
    let mut s12 = vec![12u8, 0xc0, 0x2b, 1];
    s12.extend_from_slice(&(NOW - 10).to_be_bytes());
    s12.extend_from_slice(&[7; 48]);
    let mut s13 = vec![13u8, 0x13, 0x01, 0, 0, 0, 77];
    s13.extend_from_slice(&(NOW - 10).to_be_bytes());
    s13.push(32);
    s13.extend_from_slice(&[5; 32]);
    out.put("ticket", [&[1u8][..], &s12].concat());
    out.put("ticket", [&[0u8][..], &s13].concat());
    out.put("ticket", [&[0x80u8][..], &[0; 60]].concat());

    let replay = out.replayed;
    eprintln!(
        "replayed into a fresh target: {}/{} server seeds and {}/{} client seeds complete the handshake",
        replay[0].1, replay[0].0, replay[1].1, replay[1].0
    );
    for t in [
        "record",
        "handshake13",
        "handshake12",
        "hello_ext",
        "server",
        "client",
        "x509",
        "crl",
        "ticket",
    ] {
        let n = std::fs::read_dir(root.join(t))
            .map(|d| d.count())
            .unwrap_or(0);
        eprintln!("{t}: {n} seeds");
    }
}
