use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
use lctls::pki::RootStore;
use lctls::{TlsAcceptor, TlsConnector};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn smoke() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
    let mut roots = RootStore::new();
    roots.add_pem_file(format!("{dir}/ca.pem")).unwrap();
    let cc = ClientConfig::builder()
        .with_root_store(Arc::new(roots))
        .build()
        .unwrap();
    let sc = ServerConfig::builder()
        .with_certified_key(
            CertifiedKey::from_pem_files(format!("{dir}/server.pem"), format!("{dir}/server.key"))
                .unwrap(),
        )
        .build()
        .unwrap();
    let (a, b) = tokio::io::duplex(65536);
    let srv = tokio::spawn(async move {
        let mut s = TlsAcceptor::from(Arc::new(sc)).accept(b).await.unwrap();
        let mut buf = vec![0; 5];
        s.read_exact(&mut buf).await.unwrap();
        s.write_all(&buf).await.unwrap();
        s.shutdown().await.unwrap();
    });
    let mut c = TlsConnector::from(Arc::new(cc))
        .connect("localhost", a)
        .await
        .unwrap();
    c.write_all(b"hello").await.unwrap();
    c.flush().await.unwrap();
    let mut out = Vec::new();
    c.read_to_end(&mut out).await.unwrap();
    assert_eq!(out, b"hello");
    srv.await.unwrap();
}
