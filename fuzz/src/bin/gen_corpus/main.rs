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

mod peers;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lctls::config::ClientConfig;
use lctls::pki::ServerName;
use lctls::proto::enums::{NamedGroup, ProtocolVersion};
use lctls::proto::Connection;
use lctls_fuzz::{
    certified_key, certs, client_config, pem, roots, server_config, split_records, time, Plan,
    CLIENT_VARIANTS, NOW, SERVER_VARIANTS,
};
use peers::{certs_dir, external_peers, ours_vs_rustls};

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
                let hrr = body.get(2..34) == Some(&lctls::unstable_internals::HRR_RANDOM[..]);
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
        if let Some(Ok(lctls::unstable_internals::Handshake12::Certificate(chain))) =
            plaintext_messages(s)
                .iter()
                .find(|m| m[0] == 11)
                .map(|m| lctls::unstable_internals::Handshake12::decode(m))
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
