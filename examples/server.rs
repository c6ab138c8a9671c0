//! A small TLS 1.3 server, in the spirit of `openssl s_server`.
//!
//! ```text
//! cargo run --example server -- [--listen ADDR] [--cert FILE] [--key FILE]
//!                                [--alpn LIST] [--http] [-v]
//!                                [--client-ca FILE [--require-client-cert]]
//!                                [--ocsp FILE]
//!                                [--ticket-keys FILE]... [--keylog FILE]
//!                                [--tls12 | --tls13 | --versions LIST]
//!                                [--suites LIST] [--groups LIST]
//!                                [--max-early-data BYTES] [--verbose]
//! ```
//!
//! Echo mode (the default) sends back everything a client writes until the
//! client's close_notify, then sends its own. With `--http` every request
//! gets a small `HTTP/1.1 200` response as soon as its head ends (`\r\n\r\n`
//! or `\n\n`), many per connection, until the client closes. Each connection is served on its
//! own task; what it negotiated, and any error, is printed to stderr.
//!
//! With `--client-ca` the server asks every client for a certificate and
//! verifies it against those roots (mutual TLS); clients without one are
//! still served unless `--require-client-cert` is given.
//!
//! With `--ocsp` the server staples that DER OCSP response (as `openssl ocsp
//! -respout` writes it) to clients that ask for one (status_request).
//! With `--ticket-keys` (nginx-style files of 80 random bytes, made with
//! `openssl rand 80 > ticket.key`; the first seals, all open) servers
//! started with the same files resume each other's sessions; SIGHUP reads
//! the files again (rotation). `--keylog FILE` (or, without it, the
//! `SSLKEYLOGFILE` variable) writes the NSS key log Wireshark decrypts with.
//! `--verbose` prints each client's certificate chain (subject, issuer,
//! validity, SANs) and, when the chain is refused, lays it out marking the
//! certificate at fault and naming the rule.

use std::io;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[path = "shared/cli.rs"]
#[macro_use]
mod cli;
#[path = "shared/inspect.rs"]
mod inspect;

use lctls::config::{CertifiedKey, ServerConfig, TicketKeys};
use lctls::pki::{DefaultClientVerifier, RootStore};
use lctls::proto::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use lctls::{TlsAcceptor, TlsStream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const USAGE: &str = "\
usage: server [options]

  --listen ADDR   address to listen on (default 127.0.0.1:8443)
  --cert FILE     PEM certificate chain, leaf first (default certs/server.pem)
  --key FILE      PEM private key (default certs/server.key)
  --alpn LIST     comma-separated ALPN protocols to accept, e.g. http/1.1
  --http          answer each request with a small HTTP/1.1 200 response
                  (ALPN defaults to http/1.1; without --http the server
                  echoes everything back until the client closes)
  --client-ca FILE
                  ask clients for a certificate and verify it against the
                  PEM roots in FILE; clients without one are still served
  --require-client-cert
                  refuse clients without a certificate (certificate_required
                  in TLS 1.3, handshake_failure in TLS 1.2); needs --client-ca
  --ticket-keys FILE
                  seal session tickets with the nginx-style key FILE (80 or
                  48 random bytes); repeat for several: the first seals, all
                  open. SIGHUP reads them again
  --keylog FILE   append the connections' secrets to FILE (NSS key log
                  format, for Wireshark); without it SSLKEYLOGFILE is used
  --tls12         TLS 1.2 only
  --tls13         TLS 1.3 only
  --versions LIST versions to accept, e.g. 1.3,1.2 (the default)
  --suites LIST   cipher suites to accept, most preferred first, e.g.
                  TLS13_CHACHA20_POLY1305_SHA256,TLS13_AES_128_GCM_SHA256
  --groups LIST   key-exchange groups to accept, most preferred first,
                  e.g. X25519,secp256r1
  --verbose       print each client's certificate chain; when it is
                  refused, which certificate broke which rule
  --max-early-data BYTES
                  accept up to BYTES of 0-RTT data on resumed TLS 1.3
                  connections (replayable: it is only printed, never echoed)
  -v              log the library's debug output (-vv for trace)
  --ocsp FILE     DER OCSP response for the certificate, stapled to clients
                  that send status_request (TLS 1.3 and TLS 1.2)
  -h, --help      print this help
";

/// The longest HTTP request head (up to and including the blank line) we read.
const MAX_REQUEST_HEAD: usize = 16 * 1024;
/// How long a client may take to finish its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

struct Args {
    listen: String,
    cert: String,
    key: String,
    alpn: Vec<String>,
    http: bool,
    client_ca: Option<String>,
    require_client_cert: bool,
    ocsp: Option<String>,
    ticket_keys: Vec<String>,
    keylog: Option<String>,
    versions: Option<Vec<ProtocolVersion>>,
    suites: Option<Vec<CipherSuite>>,
    groups: Option<Vec<NamedGroup>>,
    show_chain: bool,
    max_early_data: u32,
    verbose: u8,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut args = Args {
        listen: "127.0.0.1:8443".into(),
        cert: "certs/server.pem".into(),
        key: "certs/server.key".into(),
        alpn: Vec::new(),
        http: false,
        client_ca: None,
        require_client_cert: false,
        ocsp: None,
        ticket_keys: Vec::new(),
        keylog: None,
        versions: None,
        suites: None,
        groups: None,
        show_chain: false,
        max_early_data: 0,
        verbose: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--listen" => args.listen = value("--listen")?,
            "--cert" => args.cert = value("--cert")?,
            "--key" => args.key = value("--key")?,
            "--alpn" => {
                args.alpn = value("--alpn")?
                    .split(',')
                    .filter(|p| !p.is_empty())
                    .map(String::from)
                    .collect()
            }
            "--http" => args.http = true,
            "--client-ca" => args.client_ca = Some(value("--client-ca")?),
            "--require-client-cert" => args.require_client_cert = true,
            "--ocsp" => args.ocsp = Some(value("--ocsp")?),
            "--ticket-keys" => args.ticket_keys.push(value("--ticket-keys")?),
            "--keylog" => args.keylog = Some(value("--keylog")?),
            "--max-early-data" => {
                args.max_early_data = value("--max-early-data")?
                    .parse()
                    .map_err(|e| format!("--max-early-data: {e}"))?
            }
            "--tls12" => args.versions = Some(vec![ProtocolVersion::TLSv1_2]),
            "--tls13" => args.versions = Some(vec![ProtocolVersion::TLSv1_3]),
            "--versions" => args.versions = Some(inspect::parse_versions(&value("--versions")?)?),
            "--suites" => args.suites = Some(inspect::parse_suites(&value("--suites")?)?),
            "--groups" => args.groups = Some(inspect::parse_groups(&value("--groups")?)?),
            "--verbose" => args.show_chain = true,
            "-v" => args.verbose += 1,
            "-vv" => args.verbose += 2,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    if args.require_client_cert && args.client_ca.is_none() {
        return Err("--require-client-cert needs --client-ca".into());
    }
    Ok(Some(args))
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = match cli::args_or_exit(parse_args(), USAGE) {
        Ok(args) => args,
        Err(code) => return code,
    };
    cli::init_logging(args.verbose);
    if args.http {
        if args.alpn.is_empty() {
            args.alpn.push("http/1.1".into());
        } else if args.alpn.iter().any(|p| p != "http/1.1") {
            eprintln!("warning: --http answers in HTTP/1.1 whatever protocol ALPN selects");
        }
    }
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", describe(&e));
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> io::Result<()> {
    let mut key = CertifiedKey::from_pem_files(&args.cert, &args.key)?;
    if let Some(ocsp) = &args.ocsp {
        key = key.with_ocsp_file(ocsp)?;
    }
    let mut builder = ServerConfig::builder()
        .with_certified_key(key)
        .with_alpn_protocols(&args.alpn);
    if let Some(ca) = &args.client_ca {
        let mut roots = RootStore::new();
        roots.add_pem_file(ca)?;
        let roots = Arc::new(roots);
        let verifier = if args.require_client_cert {
            DefaultClientVerifier::new(roots)
        } else {
            DefaultClientVerifier::optional(roots)
        };
        builder = if args.show_chain {
            // The same verifier, noting the chain it is shown, so that a
            // refused chain can be laid out whole.
            builder.with_client_cert_verifier(Arc::new(inspect::RecordingClientVerifier(verifier)))
        } else {
            builder.with_client_cert_verifier(Arc::new(verifier))
        };
    }
    if !args.ticket_keys.is_empty() {
        let keys = Arc::new(TicketKeys::from_files(&args.ticket_keys)?);
        builder = builder.with_ticket_keys(keys.clone());
        reload_on_sighup(keys)?;
    }
    with_shared_choices!(builder, args);
    if args.max_early_data > 0 {
        builder = builder.with_max_early_data(args.max_early_data);
    }
    let config = builder.build()?;
    let acceptor = TlsAcceptor::from(Arc::new(config)).with_handshake_timeout(HANDSHAKE_TIMEOUT);

    let listener = TcpListener::bind(&args.listen).await?;
    eprintln!("listening on {}", listener.local_addr()?);

    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                // For example too many open files: keep serving the others.
                eprintln!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let (http, show_chain) = (args.http, args.show_chain);
        tokio::spawn(async move {
            if let Err(e) = serve(acceptor, tcp, peer, http, show_chain).await {
                eprintln!("[{peer}] error: {}", describe(&e));
            }
        });
    }
}

/// Reads the ticket key files again on each SIGHUP (the operator rotated them).
fn reload_on_sighup(keys: Arc<TicketKeys>) -> io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hup = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            match keys.reload() {
                Ok(()) => eprintln!("ticket keys reloaded: {}", keys.len()),
                Err(e) => eprintln!("ticket key reload failed, keeping the old keys: {e}"),
            }
        }
    });
    Ok(())
}

async fn serve(
    acceptor: TlsAcceptor,
    tcp: TcpStream,
    peer: SocketAddr,
    http: bool,
    show_chain: bool,
) -> io::Result<()> {
    let (result, chain) = inspect::recording(acceptor.accept_from(tcp, peer)).await;
    if let Err(e) = &result {
        if let (true, Some(lctls::Error::Certificate(refused))) =
            (show_chain, lctls::Error::from_io(e))
        {
            for line in inspect::refused_chain_lines(&chain, refused) {
                eprintln!("[{peer}] {line}");
            }
        }
    }
    let mut tls = result?;
    eprintln!("[{peer}] {}", summary(&tls));
    if let Some(early) = tls.take_replayable_early_data() {
        // Replayable: shown, never acted on.
        eprintln!(
            "[{peer}] 0-RTT: accepted {} bytes of early data (replayable): {:?}",
            early.len(),
            String::from_utf8_lossy(&early)
        );
    }
    if let Some(leaf) = tls.peer_certificates().first() {
        eprintln!(
            "[{peer}] client certificate chain: {} certificate(s), leaf {} bytes",
            tls.peer_certificates().len(),
            leaf.len()
        );
        if show_chain {
            for line in inspect::chain_lines(tls.peer_certificates(), None) {
                eprintln!("[{peer}] {line}");
            }
        }
    }
    if http {
        serve_http(&mut tls, peer).await
    } else {
        serve_echo(&mut tls, peer).await
    }
}

/// Echoes until the client's close_notify, then sends ours.
async fn serve_echo(tls: &mut TlsStream<TcpStream>, peer: SocketAddr) -> io::Result<()> {
    let mut buf = vec![0u8; 16 * 1024];
    let mut total = 0u64;
    loop {
        let n = tls.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        tls.write_all(&buf[..n]).await?;
        tls.flush().await?;
        total += n as u64;
    }
    tls.shutdown().await?;
    eprintln!("[{peer}] closed: echoed {total} bytes, close_notify both ways");
    Ok(())
}

/// Where a request head ends: just past its first empty line, which is
/// `\r\n\r\n` or, from lenient clients (RFC 9112 section 2.2 lets a
/// recipient accept a bare LF as a line terminator), `\n\n`.
fn head_end(buf: &[u8]) -> Option<usize> {
    let crlf = find(buf, b"\r\n\r\n").map(|i| i + 4);
    let lf = find(buf, b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A header's value in a request head (names compared case-insensitively).
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Answers each request on the connection with a small 200 response, as
/// soon as its head ends, until the client closes (or asks to with
/// `Connection: close`). A request body announced by Content-Length is read
/// and dropped.
async fn serve_http(tls: &mut TlsStream<TcpStream>, peer: SocketAddr) -> io::Result<()> {
    let mut pending: Vec<u8> = Vec::with_capacity(1024);
    let mut buf = [0u8; 4096];
    let mut served = 0u64;
    loop {
        let Some(end) = head_end(&pending) else {
            if pending.len() >= MAX_REQUEST_HEAD {
                let msg = "request head too large\n";
                let response = format!(
                    "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{msg}",
                    msg.len()
                );
                tls.write_all(response.as_bytes()).await?;
                tls.shutdown().await?;
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("request head longer than {MAX_REQUEST_HEAD} bytes"),
                ));
            }
            let room = (MAX_REQUEST_HEAD - pending.len()).min(buf.len());
            let n = tls.read(&mut buf[..room]).await?;
            if n == 0 {
                if !pending.is_empty() {
                    eprintln!("[{peer}] client closed in the middle of a request");
                }
                tls.shutdown().await?;
                eprintln!("[{peer}] closed after {served} request(s), sent close_notify");
                return Ok(());
            }
            pending.extend_from_slice(&buf[..n]);
            continue;
        };
        let head = String::from_utf8_lossy(&pending[..end]).into_owned();
        pending.drain(..end);
        let request_line = head.lines().next().unwrap_or("").to_owned();
        // Skip a body the client announced, without keeping it.
        let mut body_left: u64 = header(&head, "content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let take = (body_left as usize).min(pending.len());
        pending.drain(..take);
        body_left -= take as u64;
        while body_left > 0 {
            let room = (body_left as usize).min(buf.len());
            let n = tls.read(&mut buf[..room]).await?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "client closed in the middle of a request body",
                ));
            }
            body_left -= n as u64;
        }
        let close = header(&head, "connection").is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let body = format!("Hello from lctls\n{}\n", summary(tls));
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n{body}",
            body.len(),
            if close { "close" } else { "keep-alive" }
        );
        tls.write_all(response.as_bytes()).await?;
        tls.flush().await?;
        served += 1;
        eprintln!("[{peer}] \"{request_line}\" -> 200");
        if close {
            tls.shutdown().await?;
            eprintln!(
                "[{peer}] closed after {served} request(s) (Connection: close), sent close_notify"
            );
            return Ok(());
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// One line describing what the handshake negotiated.
fn summary<IO>(tls: &TlsStream<IO>) -> String {
    fn opt<T: std::fmt::Debug>(v: Option<T>) -> String {
        v.map_or_else(|| "-".into(), |v| format!("{v:?}"))
    }
    format!(
        "version={} suite={} group={} alpn={} sni={} resumed={}",
        opt(tls.protocol_version()),
        opt(tls.cipher_suite()),
        opt(tls.key_exchange_group()),
        tls.alpn_protocol()
            .map_or_else(|| "-".into(), |p| String::from_utf8_lossy(p).into_owned()),
        tls.server_name().unwrap_or("-"),
        tls.negotiated().resumed,
    )
}

/// The TLS error's own words when there is one, else the I/O error's.
fn describe(e: &io::Error) -> String {
    match lctls::Error::from_io(e) {
        Some(tls) => tls.to_string(),
        None => e.to_string(),
    }
}
