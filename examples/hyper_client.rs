//! GET a URL over HTTPS with hyper and lctls (feature `hyper`).
//!
//! ```text
//! cargo run --features hyper --example hyper_client -- URL [--ca FILE]
//!     [--cert FILE --key FILE]
//! ```
//!
//! Prints the status, the HTTP version and what TLS negotiated (version,
//! suite, group, ALPN, the server's chain sizes) to stderr, and the body to
//! stdout. Without `--ca` it trusts the system's roots; with `--cert` and
//! `--key` it presents a client certificate when the server asks (mTLS). Exits 1 when the
//! request fails, with lctls's words for why (a certificate for another
//! name, an unknown CA...).

use std::process::ExitCode;
use std::sync::Arc;

#[path = "shared/cli.rs"]
mod cli;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use lctls::config::{CertifiedKey, ClientConfig};
use lctls::hyper::HttpsConnector;
use lctls::pki::RootStore;
use lctls::stream::TlsConnectInfo;

const USAGE: &str = "\
usage: hyper_client URL [--ca FILE] [--cert FILE --key FILE]

  URL          https://HOST[:PORT]/PATH (HOST a DNS name or an IP address)
  --ca FILE    PEM file of trusted root certificates (default: the system's roots)
  --cert FILE  PEM client certificate chain, leaf first, presented when the
               server asks for one (needs --key)
  --key FILE   PEM private key of --cert
";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Default)]
struct Args {
    url: String,
    ca: Option<String>,
    cert: Option<String>,
    key: Option<String>,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut a = Args::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a FILE"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--ca" => a.ca = Some(value()?),
            "--cert" => a.cert = Some(value()?),
            "--key" => a.key = Some(value()?),
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            s if a.url.is_empty() => a.url = s.to_string(),
            s => return Err(format!("unexpected argument {s}")),
        }
    }
    if a.url.is_empty() {
        return Err("missing URL".into());
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
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // hyper's own message ("client error (Connect)") says little;
            // the causes under it say what went wrong.
            let mut msg = e.to_string();
            let mut cause = e.source();
            while let Some(c) = cause {
                msg.push_str(": ");
                msg.push_str(&c.to_string());
                cause = c.source();
            }
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<(), BoxError> {
    let connector = match (&args.ca, &args.cert, &args.key) {
        (None, None, _) => HttpsConnector::with_platform_roots()?,
        (ca, cert, key) => {
            let roots = match ca {
                Some(ca) => {
                    let mut roots = RootStore::new();
                    roots.add_pem_file(ca)?;
                    roots
                }
                None => RootStore::platform()?,
            };
            let mut config = ClientConfig::builder().with_root_store(Arc::new(roots));
            if let (Some(cert), Some(key)) = (cert, key) {
                config = config.with_client_cert(CertifiedKey::from_pem_files(cert, key)?);
            }
            HttpsConnector::new(Arc::new(config.build()?))
        }
    };
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    let resp = client.get(args.url.parse()?).await?;
    eprintln!("status:   {}", resp.status());
    eprintln!("http:     {:?}", resp.version());
    if let Some(tls) = resp.extensions().get::<TlsConnectInfo>() {
        print_tls(tls);
    }
    eprintln!("---");
    let body = resp.into_body().collect().await?.to_bytes();
    use std::io::Write;
    std::io::stdout().write_all(&body)?;
    Ok(())
}

fn print_tls(tls: &TlsConnectInfo) {
    eprintln!("server:   {}", tls.remote_addr());
    for line in cli::negotiated_lines(
        tls.protocol_version(),
        tls.cipher_suite(),
        tls.key_exchange_group(),
        tls.alpn_protocol(),
    ) {
        eprintln!("{line}");
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
}
