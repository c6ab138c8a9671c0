//! An HTTPS server with axum over lctls (feature `axum`), HTTP/2 and
//! HTTP/1.1 by ALPN, mutual TLS optional.
//!
//! ```text
//! cargo run --features axum --example axum_server -- --listen ADDR
//!     [--cert FILE --key FILE] [--client-ca FILE] [-v]
//! ```
//!
//! `GET /` answers 200 with a few lines naming the HTTP version and the TLS
//! parameters of the request's connection, and the client certificate's
//! subject under `--client-ca` (which requires one). Prints
//! `listening on ADDR` to stderr once bound; with `-v`, handshakes and
//! their failures are logged too.

use std::process::ExitCode;
use std::sync::Arc;

#[path = "shared/cli.rs"]
mod cli;

use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::routing::get;
use axum::Router;
use lctls::config::{CertifiedKey, ServerConfig};
use lctls::pki::{DefaultClientVerifier, RootStore};
use lctls::stream::TlsConnectInfo;
use lctls::{TlsAcceptor, TlsListener};
use x509_cert::der::Decode;

const USAGE: &str = "\
usage: axum_server --listen ADDR [--cert FILE --key FILE] [--client-ca FILE] [-v]

  --listen ADDR     address to listen on, e.g. 127.0.0.1:8443 (required)
  --cert FILE       PEM certificate chain, leaf first (default certs/server.pem)
  --key FILE        PEM private key of --cert (default certs/server.key)
  --client-ca FILE  require client certificates issued under the roots in FILE
  -v, --verbose     log handshakes and their failures (tracing, debug level)
";

#[derive(Default)]
struct Args {
    listen: String,
    cert: Option<String>,
    key: Option<String>,
    client_ca: Option<String>,
    verbose: bool,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut a = Args::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--listen" => a.listen = value()?,
            "--cert" => a.cert = Some(value()?),
            "--key" => a.key = Some(value()?),
            "--client-ca" => a.client_ca = Some(value()?),
            "-v" | "--verbose" => a.verbose = true,
            s => return Err(format!("unknown argument {s}")),
        }
    }
    if a.listen.is_empty() {
        return Err("--listen ADDR is required".into());
    }
    if a.cert.is_some() != a.key.is_some() {
        return Err("--cert and --key go together".into());
    }
    Ok(Some(a))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match cli::args_or_exit(parse_args(), USAGE) {
        Ok(args) => args,
        Err(code) => return code,
    };
    tracing_subscriber::fmt()
        .with_max_level(if args.verbose {
            tracing::Level::DEBUG
        } else {
            tracing::Level::WARN
        })
        .with_writer(std::io::stderr)
        .init();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", describe(&e));
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> std::io::Result<()> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
    let cert = args.cert.unwrap_or_else(|| format!("{dir}/server.pem"));
    let key = args.key.unwrap_or_else(|| format!("{dir}/server.key"));
    let mut config = ServerConfig::builder()
        .with_certified_key(CertifiedKey::from_pem_files(cert, key)?)
        .with_alpn_protocols(&["h2", "http/1.1"]);
    if let Some(ca) = &args.client_ca {
        let mut roots = RootStore::new();
        roots.add_pem_file(ca)?;
        config =
            config.with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(Arc::new(roots))));
    }
    let acceptor = TlsAcceptor::from(Arc::new(config.build()?));
    let listener = TlsListener::bind(&args.listen, acceptor).await?;
    eprintln!("listening on {}", listener.local_addr()?);
    let app = Router::new().route("/", get(hello));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<TlsConnectInfo>(),
    )
    .await
}

async fn hello(
    ConnectInfo(tls): ConnectInfo<TlsConnectInfo>,
    req: Request<axum::body::Body>,
) -> String {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let client = match tls.peer_certificates().first() {
        Some(der) => x509_cert::Certificate::from_der(der)
            .map(|c| c.tbs_certificate.subject.to_string())
            .unwrap_or_else(|e| format!("(unparsable: {e})")),
        None => "-".into(),
    };
    format!(
        "http:    {:?}\npeer:    {}\nversion: {}\nsuite:   {}\ngroup:   {}\nalpn:    {}\nsni:     {}\nclient:  {client}\n",
        req.version(),
        tls.remote_addr(),
        opt(tls.protocol_version().map(|v| format!("{v:?}"))),
        opt(tls.cipher_suite().map(|v| format!("{v:?}"))),
        opt(tls.key_exchange_group().map(|v| format!("{v:?}"))),
        opt(tls.alpn_protocol().map(|p| String::from_utf8_lossy(p).into_owned())),
        tls.server_name().unwrap_or("-"),
    )
}

fn describe(e: &std::io::Error) -> String {
    match lctls::Error::from_io(e) {
        Some(tls) => tls.to_string(),
        None => e.to_string(),
    }
}
