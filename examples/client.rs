//! A small TLS 1.3 client, in the spirit of `openssl s_client`.
//!
//! ```text
//! cargo run --example client -- --connect ADDR [--server-name NAME]
//!                                [--ca FILE] [--alpn LIST] [-v]
//!                                [--cert FILE --key FILE] [--ocsp POLICY]
//!                                [--cert FILE --key FILE]
//!                                [--resume N] [--keylog FILE]
//!                                [--tls12 | --tls13 | --versions LIST]
//!                                [--suites LIST] [--groups LIST]
//!                                [--early-data FILE] [--verbose]
//! ```
//!
//! Connects, prints what was negotiated to stderr, then copies stdin to the
//! server and the server's data to stdout. When stdin ends the client sends
//! close_notify and keeps reading until the server closes too.
//!
//! With `--cert` and `--key` the client presents that certificate when the
//! server asks for one (mutual TLS).
//!
//! With `--ocsp allow` or `--ocsp require` the client asks the server to
//! staple an OCSP response and verifies it (see `OcspPolicy`).
//! With `--resume N` the client first makes N connections that only
//! handshake, collect the server's tickets and close, each reusing the
//! session of the one before, and prints `resume K: resumed=yes|no` for
//! each of the N reconnections (the last being the interactive one). Given
//! several addresses (`--connect A,B`), the connections go to each in turn,
//! as through a load balancer, which shows servers sharing ticket keys
//! resuming each other's sessions.
//! `--keylog FILE` (or, without it, `SSLKEYLOGFILE`) writes the NSS key log.
//! `--verbose` prints the server's chain (subject, issuer, validity, SANs of
//! each certificate); when verification fails it lays out the chain the
//! server sent, marking the certificate at fault, and names the rule.

use std::io;
use std::process::ExitCode;
use std::sync::Arc;

#[path = "shared/cli.rs"]
#[macro_use]
mod cli;
#[path = "shared/inspect.rs"]
mod inspect;

use lctls::config::{CertifiedKey, ClientConfig};
use lctls::pki::{DefaultServerVerifier, OcspPolicy, RootStore};
use lctls::proto::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use lctls::proto::OnReject;
use lctls::TlsConnector;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const USAGE: &str = "\
usage: client --connect ADDR [options]

  --connect ADDR      server address, HOST:PORT (required); with --resume, a
                      comma-separated list is used in turn, like servers
                      behind a load balancer
  --server-name NAME  name to verify the certificate against and send as SNI
                      (default: the host part of ADDR)
  --ca FILE           PEM file of trusted root certificates (default certs/ca.pem)
  --alpn LIST         comma-separated ALPN protocols to offer, e.g. h2,http/1.1
  --cert FILE         PEM client certificate chain, leaf first, presented when
                      the server asks for one (needs --key)
  --key FILE          PEM private key of --cert
  --ocsp POLICY       ask for a stapled OCSP response and verify it: allow
                      (a missing or stale one is accepted) or require
  --resume N          connect N more times before the interactive connection
                      and print whether each reconnection resumed
  --keylog FILE       append the secrets to FILE (NSS key log format, for
                      Wireshark); without it SSLKEYLOGFILE is used
  --tls12             TLS 1.2 only
  --tls13             TLS 1.3 only
  --versions LIST     versions to offer, e.g. 1.3,1.2 (the default)
  --suites LIST       cipher suites to offer, most preferred first, e.g.
                      TLS13_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
  --groups LIST       key-exchange groups to offer, e.g. X25519,secp256r1
                      (default X25519MLKEM768,X25519,secp256r1,secp384r1)
  --early-data FILE   with --resume, send FILE's bytes as 0-RTT data on each
                      resumption (replayable); printed: whether the server
                      accepted them (else they are sent after the handshake)
  --verbose           print the server's certificate chain; when it is
                      refused, which certificate broke which rule
  -v                  log the library's debug output (-vv for trace)
  -h, --help          print this help
";

struct Args {
    connect: String,
    server_name: Option<String>,
    ca: String,
    alpn: Vec<String>,
    cert: Option<String>,
    key: Option<String>,
    ocsp: OcspPolicy,
    resume: u32,
    keylog: Option<String>,
    early_data: Option<Vec<u8>>,
    versions: Option<Vec<ProtocolVersion>>,
    suites: Option<Vec<CipherSuite>>,
    groups: Option<Vec<NamedGroup>>,
    show_chain: bool,
    verbose: u8,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut connect = None;
    let mut server_name = None;
    let mut ca = "certs/ca.pem".to_string();
    let mut alpn = Vec::new();
    let mut cert = None;
    let mut key = None;
    let mut ocsp = OcspPolicy::Off;
    let mut verbose = 0;
    let mut resume = 0;
    let mut keylog = None;
    let mut early_data = None;
    let mut versions = None;
    let mut suites = None;
    let mut groups = None;
    let mut show_chain = false;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--connect" => connect = Some(value("--connect")?),
            "--server-name" => server_name = Some(value("--server-name")?),
            "--ca" => ca = value("--ca")?,
            "--alpn" => {
                alpn = value("--alpn")?
                    .split(',')
                    .filter(|p| !p.is_empty())
                    .map(String::from)
                    .collect()
            }
            "--cert" => cert = Some(value("--cert")?),
            "--key" => key = Some(value("--key")?),
            "--ocsp" => {
                ocsp = match value("--ocsp")?.as_str() {
                    "allow" => OcspPolicy::Allow,
                    "require" => OcspPolicy::Require,
                    other => return Err(format!("--ocsp takes allow or require, not '{other}'")),
                }
            }
            "--resume" => {
                resume = value("--resume")?
                    .parse()
                    .map_err(|e| format!("--resume: {e}"))?
            }
            "--keylog" => keylog = Some(value("--keylog")?),
            "--early-data" => {
                let path = value("--early-data")?;
                early_data =
                    Some(std::fs::read(&path).map_err(|e| format!("--early-data {path}: {e}"))?)
            }
            "--tls12" => versions = Some(vec![ProtocolVersion::TLSv1_2]),
            "--tls13" => versions = Some(vec![ProtocolVersion::TLSv1_3]),
            "--versions" => versions = Some(inspect::parse_versions(&value("--versions")?)?),
            "--suites" => suites = Some(inspect::parse_suites(&value("--suites")?)?),
            "--groups" => groups = Some(inspect::parse_groups(&value("--groups")?)?),
            "--verbose" => show_chain = true,
            "-v" => verbose += 1,
            "-vv" => verbose += 2,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    let connect = connect.ok_or("--connect is required")?;
    if cert.is_some() != key.is_some() {
        return Err("--cert and --key go together".into());
    }
    Ok(Some(Args {
        connect,
        server_name,
        ca,
        alpn,
        cert,
        key,
        ocsp,
        resume,
        keylog,
        early_data,
        versions,
        suites,
        groups,
        show_chain,
        verbose,
    }))
}

/// The host part of `HOST:PORT` or `[IPv6]:PORT`.
fn host_of(addr: &str) -> &str {
    let host = addr.rsplit_once(':').map_or(addr, |(host, _)| host);
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

fn main() -> ExitCode {
    let args = match cli::args_or_exit(parse_args(), USAGE) {
        Ok(args) => args,
        Err(code) => return code,
    };
    cli::init_logging(args.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", describe(&e));
            ExitCode::FAILURE
        }
    };
    // Tokio reads stdin on a blocking thread that may still be waiting for a
    // line nobody will type; do not wait for it.
    runtime.shutdown_background();
    code
}

async fn run(args: Args) -> io::Result<()> {
    let mut roots = RootStore::new();
    roots.add_pem_file(&args.ca)?;
    let roots = Arc::new(roots);
    let mut builder = if args.show_chain {
        // The default verifier, noting the chain it is shown, so that a
        // refused chain can be laid out whole.
        ClientConfig::builder().dangerous().with_custom_verifier(
            inspect::recording_server_verifier(DefaultServerVerifier::new(roots)),
        )
    } else {
        ClientConfig::builder().with_root_store(roots)
    };
    builder = builder
        .with_alpn_protocols(&args.alpn)
        .with_ocsp_stapling(args.ocsp);
    if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        builder = builder.with_client_cert(CertifiedKey::from_pem_files(cert, key)?);
    }
    with_shared_choices!(builder, args);
    let config = builder.build()?;
    let connector = TlsConnector::from(Arc::new(config));

    let server_name = args
        .server_name
        .clone()
        .unwrap_or_else(|| host_of(args.connect.split(',').next().unwrap_or("")).to_string());
    let addrs: Vec<&str> = args.connect.split(',').collect();
    let addr = |k: u32| addrs[k as usize % addrs.len()];
    // With --early-data, every connection after the first offers it (the
    // first has no ticket yet); the server may take it or not.
    let connect = |k: u32, tcp: TcpStream| match (&args.early_data, k) {
        (Some(d), 1..) => connector.connect_with_replayable_early_data(
            server_name.clone(),
            tcp,
            d.clone(),
            OnReject::Resend,
        ),
        _ => connector.connect(server_name.clone(), tcp),
    };
    // Every handshake notes the chain the verifier saw, to lay it out if
    // it is refused (--verbose).
    let handshake = |k: u32, tcp: TcpStream| {
        let fut = connect(k, tcp);
        async move {
            let (result, chain) = inspect::recording(fut).await;
            if let Err(e) = &result {
                if let (true, Some(lctls::Error::Certificate(refused))) =
                    (args.show_chain, lctls::Error::from_io(e))
                {
                    for line in inspect::refused_chain_lines(&chain, refused) {
                        eprintln!("{line}");
                    }
                }
            }
            result
        }
    };
    let early = |tls: &lctls::TlsStream<TcpStream>| match &args.early_data {
        Some(_) => format!(" early_data={:?}", tls.negotiated().early_data),
        None => String::new(),
    };
    for k in 0..args.resume {
        let tcp = TcpStream::connect(addr(k)).await?;
        let mut tls = handshake(k, tcp).await?;
        if k > 0 {
            eprintln!(
                "resume {k}: {} resumed={}{}",
                addr(k),
                yes_no(tls.negotiated().resumed),
                early(&tls)
            );
        }
        // Close at once and read to the server's close: the tickets of a
        // TLS 1.3 server come after the handshake.
        tls.shutdown().await?;
        let mut sink = Vec::new();
        let _ = tls.read_to_end(&mut sink).await;
    }
    let tcp = TcpStream::connect(addr(args.resume)).await?;
    eprintln!("connected to {}", tcp.peer_addr()?);
    let tls = handshake(args.resume, tcp).await?;
    if args.resume > 0 {
        eprintln!(
            "resume {}: {} resumed={}{}",
            args.resume,
            addr(args.resume),
            yes_no(tls.negotiated().resumed),
            early(&tls)
        );
    }

    for line in cli::negotiated_lines(
        tls.protocol_version(),
        tls.cipher_suite(),
        tls.key_exchange_group(),
        tls.alpn_protocol(),
    ) {
        eprintln!("{line}");
    }
    if server_name.parse::<std::net::IpAddr>().is_ok() {
        eprintln!("name:     {server_name} (an IP address: verified, not sent as SNI)");
    } else {
        eprintln!("name:     {server_name} (verified, sent as SNI)");
    }
    let sizes: Vec<String> = tls
        .peer_certificates()
        .iter()
        .map(|c| format!("{} bytes", c.len()))
        .collect();
    eprintln!(
        "server certificates: {} ({})",
        sizes.len(),
        sizes.join(", ")
    );
    if args.show_chain {
        eprintln!(
            "peer chain: {} certificate(s)",
            tls.peer_certificates().len()
        );
        for line in inspect::chain_lines(tls.peer_certificates(), None) {
            eprintln!("{line}");
        }
    }
    if args.ocsp.asks() {
        match tls.ocsp_response() {
            Some(r) => eprintln!("ocsp:     {} bytes stapled, verified", r.len()),
            None => eprintln!("ocsp:     no response stapled"),
        }
    }
    eprintln!("---");

    let (mut from_server, mut to_server) = tokio::io::split(tls);
    let upload = async {
        let mut stdin = tokio::io::stdin();
        tokio::io::copy(&mut stdin, &mut to_server).await?;
        // stdin is done: send close_notify (and close our half of the TCP connection).
        to_server.shutdown().await
    };
    let download = async {
        let mut stdout = tokio::io::stdout();
        // Ends cleanly only at the server's close_notify; a bare EOF is an error.
        let n = tokio::io::copy(&mut from_server, &mut stdout).await?;
        stdout.flush().await?;
        Ok::<u64, io::Error>(n)
    };
    tokio::pin!(upload, download);
    let mut upload_done = false;
    let received = loop {
        tokio::select! {
            result = &mut upload, if !upload_done => {
                upload_done = true;
                if let Err(e) = result {
                    // The server may still have something to say; keep reading.
                    eprintln!("sending failed: {}", describe(&e));
                }
            }
            result = &mut download => break result?,
        }
    };
    eprintln!("--- server sent close_notify after {received} bytes");
    Ok(())
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// The TLS error's own words when there is one, else the I/O error's.
fn describe(e: &io::Error) -> String {
    match lctls::Error::from_io(e) {
        Some(tls) => tls.to_string(),
        None => e.to_string(),
    }
}
