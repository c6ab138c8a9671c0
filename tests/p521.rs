//! ECDSA P-521 certificates (ecdsa_secp521r1_sha512) against OpenSSL: our
//! server signs with a P-521 key, our client verifies a P-521 server's
//! signature. The P-521 leaf is made at test time with the openssl CLI and
//! signed by certs/ca.pem, so the test PKI in certs/ stays as it is.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
use lctls::pki::RootStore;
use lctls::proto::enums::ProtocolVersion;
use lctls::{TlsAcceptor, TlsConnector};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A P-521 key and a leaf for localhost signed by certs/ca.pem (ECDSA
/// P-256, SHA-256), in a fresh directory: (leaf.pem, key.pem).
fn p521_leaf(tag: &str) -> (String, String) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("lctls-p521-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    std::fs::write(
        f("ext.cnf"),
        "basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\n\
         extendedKeyUsage = serverAuth\nsubjectAltName = DNS:localhost, IP:127.0.0.1\n",
    )
    .unwrap();
    run(&[
        "genpkey",
        "-quiet",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-521",
        "-pkeyopt",
        "ec_param_enc:named_curve",
        "-out",
        &f("key.pem"),
    ]);
    run(&[
        "req",
        "-new",
        "-key",
        &f("key.pem"),
        "-subj",
        "/CN=localhost",
        "-out",
        &f("leaf.csr"),
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        &f("leaf.csr"),
        "-CA",
        &common::cert_arg("ca.pem"),
        "-CAkey",
        &common::cert_arg("ca.key"),
        "-set_serial",
        "0x4521",
        "-days",
        "30",
        "-sha256",
        "-extfile",
        &f("ext.cnf"),
        "-out",
        &f("leaf.pem"),
    ]);
    (f("leaf.pem"), f("key.pem"))
}

#[tokio::test]
async fn server_signs_with_p521_for_s_client() {
    if !common::require("openssl") {
        return;
    }
    let (leaf, key) = p521_leaf("server");
    for (version, flag) in [
        (ProtocolVersion::TLSv1_3, "-tls1_3"),
        (ProtocolVersion::TLSv1_2, "-tls1_2"),
    ] {
        let config = ServerConfig::builder()
            .with_certified_key(CertifiedKey::from_pem_files(&leaf, &key).expect("P-521 key loads"))
            .with_protocol_versions(&[version])
            .build()
            .unwrap();
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await?;
            let mut tls = TlsAcceptor::from(Arc::new(config)).accept(tcp).await?;
            let mut buf = [0u8; 64];
            let n = tls.read(&mut buf).await?;
            tls.write_all(&buf[..n]).await?;
            tls.flush().await?;
            let _ = tls.shutdown().await;
            Ok::<_, std::io::Error>(())
        });
        let mut c = common::openssl_s_client_version(
            port,
            flag,
            true,
            true,
            &["-sigalgs", "ecdsa_secp521r1_sha512"],
        );
        c.write(b"p521\n");
        assert!(
            c.wait_stdout_contains(b"p521\n", TEST_TIMEOUT).await,
            "{version:?}: no echo:\n{}",
            c.describe()
        );
        c.close_stdin();
        let status = c.wait_exit(TEST_TIMEOUT).await.expect("s_client exit");
        assert!(status.success(), "{version:?}: s_client:\n{}", c.describe());
        // s_client offered only ecdsa_secp521r1_sha512, so a handshake that
        // completes is one we signed with it.
        tokio::time::timeout(TEST_TIMEOUT, server)
            .await
            .expect("server in time")
            .unwrap()
            .expect("our server");
    }
}

#[tokio::test]
async fn client_verifies_p521_s_server() {
    if !common::require("openssl") {
        return;
    }
    let (leaf, key) = p521_leaf("client");
    let port = common::free_port();
    let _srv = common::openssl_s_server(
        port,
        &leaf,
        &key,
        &["-sigalgs", "ecdsa_secp521r1_sha512", "-naccept", "1"],
    );
    let mut roots = RootStore::new();
    roots.add_pem_file(common::cert_path("ca.pem")).unwrap();
    let connector = TlsConnector::from(Arc::new(
        ClientConfig::builder()
            .with_root_store(Arc::new(roots))
            .with_protocol_versions(&[ProtocolVersion::TLSv1_3])
            .build()
            .unwrap(),
    ));
    let tls = tokio::time::timeout(TEST_TIMEOUT, async {
        let tcp = TcpStream::connect(("127.0.0.1", port)).await?;
        connector.connect("localhost", tcp).await
    })
    .await
    .expect("handshake in time")
    .expect("handshake with a P-521 server");
    assert_eq!(
        tls.negotiated().peer_signature_scheme.map(u16::from),
        Some(0x0603),
        "ecdsa_secp521r1_sha512"
    );
    common::reverse_roundtrip_and_close(tls, "P-521 server").await;
}
