//! gRPC with mutual TLS over lctls: a tonic server and client in one
//! process, each authenticating the other with the certs/ test PKI.
//!
//! ```text
//! cargo run --example grpc_mtls
//! ```
//!
//! The server serves the standard gRPC health service (tonic-health, so no
//! protoc is needed) over lctls, asks every client for a certificate and
//! verifies it against certs/ca.pem; an interceptor reads the verified
//! client identity from the connection and refuses requests without one.
//! The client presents certs/client.pem, verifies the server against
//! certs/ca.pem and the name `localhost`, and makes one health check. It
//! prints what the server saw and what the client got, then exits 0:
//!
//! ```text
//! server listening on 127.0.0.1:PORT
//! server saw client: CN=lctls test client,O=lctls test (2 certificates) from 127.0.0.1:PORT
//! client: health check answered SERVING
//! ```
//!
//! [`glue`] holds the tonic-to-lctls glue, ready to copy.

mod glue;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
use lctls::pki::{DefaultClientVerifier, RootStore};
use lctls::{TlsAcceptor, TlsConnector};
use tonic::transport::{Endpoint, Server};
use tonic::{Request, Status};
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::health_server::HealthServer;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::server::{HealthReporter, HealthService};

use glue::PeerIdentity;

const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");

fn roots() -> Result<Arc<RootStore>, lctls::Error> {
    let mut roots = RootStore::new();
    roots.add_pem_file(format!("{CERTS}/ca.pem"))?;
    Ok(Arc::new(roots))
}

fn identity(name: &str) -> Result<CertifiedKey, lctls::Error> {
    CertifiedKey::from_pem_files(format!("{CERTS}/{name}.pem"), format!("{CERTS}/{name}.key"))
}

/// Refuses requests whose connection has no verified client certificate
/// (the verifier already refused bad ones) and reports who called.
fn require_client(
    seen: tokio::sync::mpsc::UnboundedSender<PeerIdentity>,
) -> impl Fn(Request<()>) -> Result<Request<()>, Status> + Clone {
    move |req: Request<()>| {
        let who = req
            .extensions()
            .get::<PeerIdentity>()
            .filter(|id| !id.chain.is_empty())
            .cloned()
            .ok_or_else(|| Status::unauthenticated("a client certificate is required"))?;
        let _ = seen.send(who);
        Ok(req)
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // Server: certs/server.pem, client certificates required under ca.pem.
    let server_config = ServerConfig::builder()
        .with_certified_key(identity("server")?)
        .with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(roots()?)))
        .with_alpn_protocols(&["h2"])
        .build()?;
    let acceptor =
        TlsAcceptor::from(Arc::new(server_config)).with_handshake_timeout(Duration::from_secs(10));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    println!("server listening on {addr}");

    let reporter = HealthReporter::new();
    reporter.set_serving::<HealthServer<HealthService>>().await;
    let (seen_tx, mut seen_rx) = tokio::sync::mpsc::unbounded_channel();
    let health = HealthServer::with_interceptor(
        HealthService::from_health_reporter(reporter),
        require_client(seen_tx),
    );
    let server = tokio::spawn(
        Server::builder()
            .add_service(health)
            .serve_with_incoming(glue::incoming(listener, acceptor, None)),
    );

    // Client: certs/client.pem, the server verified as `localhost`.
    let client_config = ClientConfig::builder()
        .with_root_store(roots()?)
        .with_client_cert(identity("client")?)
        .with_alpn_protocols(&["h2"])
        .build()?;
    let connector = TlsConnector::from(Arc::new(client_config));
    let channel = Endpoint::from_shared(format!("https://localhost:{}", addr.port()))?
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(10))
        .connect_with_connector(glue::connector(connector))
        .await?;
    let answer = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await?;

    if let Ok(who) = seen_rx.try_recv() {
        println!(
            "server saw client: {} ({} certificates) from {}",
            who.subject.as_deref().unwrap_or("-"),
            who.chain.len(),
            who.remote_addr.map_or("-".into(), |a| a.to_string()),
        );
    }
    println!(
        "client: health check answered {}",
        answer.into_inner().status().as_str_name()
    );
    server.abort();
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The whole chain: tonic's words, then hyper's, then ours.
            let mut msg = e.to_string();
            let mut source = e.source();
            while let Some(s) = source {
                msg.push_str(&format!(": {s}"));
                source = s.source();
            }
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}
