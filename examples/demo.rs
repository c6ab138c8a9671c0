//! A TLS 1.3 server and client talking over loopback, in one process.
//!
//! ```text
//! cargo run --example demo
//! ```
//!
//! The server uses the test certificates shipped in `certs/`; the client
//! trusts `certs/ca.pem`. Both offer ALPN "http/1.1". The client sends one
//! message, the server echoes it, and both sides close with close_notify.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
use lctls::pki::RootStore;
use lctls::{TlsAcceptor, TlsConnector, TlsStream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use x509_cert::der::Decode;

const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
const MESSAGE: &[u8] = b"Hello over TLS 1.3 from lctls!";

#[tokio::main]
async fn main() -> io::Result<()> {
    let started = Instant::now();
    // Nothing here should take long; never hang.
    let result = tokio::time::timeout(Duration::from_secs(10), demo()).await;
    match result {
        Ok(Ok(())) => {
            println!("done in {} ms", started.elapsed().as_millis());
            Ok(())
        }
        Ok(Err(e)) => Err(e),
        Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "demo timed out")),
    }
}

async fn demo() -> io::Result<()> {
    // Server: a certificate chain and its key, and the ALPN protocols it accepts.
    let key =
        CertifiedKey::from_pem_files(format!("{CERTS}/server.pem"), format!("{CERTS}/server.key"))?;
    let server_config = ServerConfig::builder()
        .with_certified_key(key)
        .with_alpn_protocols(&["http/1.1"])
        .build()?;
    let acceptor = TlsAcceptor::from(Arc::new(server_config));

    // Client: the roots it trusts, and the ALPN protocols it offers.
    let mut roots = RootStore::new();
    roots.add_pem_file(format!("{CERTS}/ca.pem"))?;
    let client_config = ClientConfig::builder()
        .with_root_store(Arc::new(roots))
        .with_alpn_protocols(&["http/1.1"])
        .build()?;
    let connector = TlsConnector::from(Arc::new(client_config));

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    println!("server listening on {addr}");

    // The server task: accept one connection and echo until close_notify.
    let (hs_tx, hs_rx) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await?;
        let mut tls = acceptor.accept(tcp).await?;
        let _ = hs_tx.send(describe("server", &tls));
        let mut log = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = tls.read(&mut buf).await?;
            if n == 0 {
                // A clean end of stream: the client's close_notify arrived.
                log.push("server: received close_notify from the client".to_string());
                break;
            }
            log.push(format!(
                "server: received {n} bytes {:?}, echoing them",
                String::from_utf8_lossy(&buf[..n])
            ));
            tls.write_all(&buf[..n]).await?;
            tls.flush().await?;
        }
        tls.shutdown().await?; // sends the server's close_notify
        log.push("server: sent close_notify".to_string());
        Ok::<_, io::Error>(log)
    });

    // The client: connect, handshake, send, read the echo, close.
    let tcp = TcpStream::connect(addr).await?;
    let mut tls = connector.connect("localhost", tcp).await?;
    println!("\n{}", describe("client", &tls));
    let server_view = hs_rx
        .await
        .map_err(|_| io::Error::other("the server failed its handshake"))?;
    println!("{server_view}");

    tls.write_all(MESSAGE).await?;
    tls.flush().await?;
    println!(
        "client: sent {} bytes {:?}",
        MESSAGE.len(),
        String::from_utf8_lossy(MESSAGE)
    );
    let mut echo = vec![0u8; MESSAGE.len()];
    tls.read_exact(&mut echo).await?;
    println!(
        "client: received {} bytes {:?}",
        echo.len(),
        String::from_utf8_lossy(&echo)
    );
    assert_eq!(echo, MESSAGE, "the echo differs from the message");

    tls.shutdown().await?; // sends the client's close_notify
    println!("client: sent close_notify");
    let mut rest = Vec::new();
    // read_to_end returns Ok only once the server's close_notify arrives;
    // a connection cut without it would be an UnexpectedEof error.
    tls.read_to_end(&mut rest).await?;
    println!(
        "client: received close_notify from the server ({} more bytes)",
        rest.len()
    );

    let log = server.await.map_err(io::Error::other)??;
    for line in log {
        println!("{line}");
    }
    Ok(())
}

/// What one side of the connection negotiated, as a block of text.
fn describe<IO>(side: &str, tls: &TlsStream<IO>) -> String {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "none".into());
    let mut out = format!("{side}: handshake complete\n");
    out += &format!(
        "  version:     {}\n",
        opt(tls.protocol_version().map(|v| format!("{v:?}")))
    );
    out += &format!(
        "  suite:       {}\n",
        opt(tls.cipher_suite().map(|v| format!("{v:?}")))
    );
    out += &format!(
        "  group:       {}\n",
        opt(tls.key_exchange_group().map(|v| format!("{v:?}")))
    );
    out += &format!(
        "  alpn:        {}\n",
        opt(tls
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned()))
    );
    out += &format!(
        "  sni:         {}\n",
        opt(tls.server_name().map(String::from))
    );
    let certs = tls.peer_certificates();
    if certs.is_empty() {
        out += "  peer certificates: none (the server asks for no client certificate)\n";
    } else {
        out += &format!("  peer certificates: {}\n", certs.len());
        for cert in certs {
            let subject = x509_cert::Certificate::from_der(cert.as_ref())
                .map(|c| c.tbs_certificate.subject.to_string())
                .unwrap_or_else(|e| format!("(undecodable: {e})"));
            out += &format!("    {subject} ({} bytes DER)\n", cert.len());
        }
    }
    out
}
