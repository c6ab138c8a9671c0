//! OCSP stapling with OpenSSL both ways: our client against
//! `openssl s_server -status_file`, our server against `openssl s_client
//! -status`, in TLS 1.3 and TLS 1.2, with responses made by `openssl ocsp`.

mod common;
mod example_bin;
mod support;

use std::process::Command;
use std::sync::Arc;

use lctls::pki::{CertificateError, OcspPolicy};
use lctls::proto::enums::{AlertDescription, ProtocolVersion};
use lctls::{Error, TlsAcceptor, TlsConnector};
use support::ocsp::{response, stapling_server, write_response, Signer, Status};
use support::{client_builder, timeout};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// (our version, the s_server/s_client flag for it)
const VERSIONS: [(ProtocolVersion, &str); 2] = [
    (ProtocolVersion::TLSv1_3, "-tls1_3"),
    (ProtocolVersion::TLSv1_2, "-tls1_2"),
];

/// Our client (asking with `policy`) against `openssl s_server -status_file`
/// stapling `der`: the staple it saw, or its error.
async fn against_s_server(
    der: &[u8],
    v: ProtocolVersion,
    flag: &str,
    policy: OcspPolicy,
) -> Result<Option<Vec<u8>>, Error> {
    let file = write_response(der);
    let port = common::free_port();
    let file = file.to_str().unwrap().to_string();
    let _server = common::openssl_s_server_version(
        port,
        "server.pem",
        "server.key",
        flag,
        &["-status_file", &file, "-naccept", "1"],
    );
    let cc = client_builder()
        .with_protocol_versions(&[v])
        .with_ocsp_stapling(policy)
        .build()
        .unwrap();
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    match timeout(TlsConnector::from(Arc::new(cc)).connect("localhost", tcp)).await {
        Ok(mut tls) => {
            // The connection works past the handshake.
            tls.write_all(b"ocsp\n").await.unwrap();
            let mut buf = [0u8; 5];
            timeout(tls.read_exact(&mut buf)).await.unwrap();
            assert_eq!(&buf, b"psco\n");
            Ok(tls.ocsp_response().map(<[u8]>::to_vec))
        }
        Err(e) => Err(support::tls_err(&e).clone()),
    }
}

#[tokio::test]
async fn our_client_verifies_openssl_s_server_staple() {
    if !common::require("openssl") {
        return;
    }
    let good = response(Status::Good, Signer::Issuer);
    for (v, flag) in VERSIONS {
        let seen = against_s_server(&good, v, flag, OcspPolicy::Require).await;
        assert_eq!(seen.unwrap().as_deref(), Some(&good[..]), "{v:?}");
    }
}

#[tokio::test]
async fn our_client_refuses_openssl_s_server_revoked_and_bad_staples() {
    if !common::require("openssl") {
        return;
    }
    let revoked = response(Status::Revoked, Signer::Issuer);
    let stranger = response(Status::Good, Signer::Stranger);
    for (v, flag) in VERSIONS {
        let e = against_s_server(&revoked, v, flag, OcspPolicy::Allow)
            .await
            .unwrap_err();
        assert_eq!(
            e.alert(),
            Some(AlertDescription::CertificateRevoked),
            "{v:?}: {e}"
        );
        assert!(
            matches!(e, Error::Certificate(CertificateError::Revoked { .. })),
            "{e:?}"
        );
        let e = against_s_server(&stranger, v, flag, OcspPolicy::Allow)
            .await
            .unwrap_err();
        assert_eq!(
            e.alert(),
            Some(AlertDescription::BadCertificateStatusResponse),
            "{v:?}: {e}"
        );
    }
}

/// Our server (stapling `staple`) against `openssl s_client FLAG EXTRA`
/// for one connection: s_client's stdout.
async fn s_client_output(
    v: ProtocolVersion,
    flag: &str,
    staple: Vec<u8>,
    extra: &[&str],
) -> String {
    let config = stapling_server(&[v], Some(staple));
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = TlsAcceptor::from(config);
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut tls = acceptor.accept(tcp).await.unwrap();
        let mut buf = [0u8; 3];
        tls.read_exact(&mut buf).await.unwrap();
        tls.write_all(b"ok\n").await.unwrap();
        tls.shutdown().await.unwrap();
    });
    let mut cmd = Command::new("openssl");
    cmd.args(["s_client", "-connect", &format!("127.0.0.1:{port}"), flag])
        .arg("-CAfile")
        .arg(common::cert_path("ca.pem"))
        .args(["-servername", "localhost", "-ign_eof"])
        .args(extra);
    let mut client = common::Peer::spawn(cmd, port, true);
    client.write(b"hi\n");
    assert!(
        client.wait_stdout_contains(b"ok\n", common::TIMEOUT).await,
        "{}",
        client.describe()
    );
    client.close_stdin();
    let _ = client.wait_exit(common::TIMEOUT).await;
    timeout(server).await.unwrap();
    client.stdout_text()
}

/// `openssl s_client -status` against our server: it prints the response it
/// got, which must be the one we staple.
#[tokio::test]
async fn openssl_s_client_status_sees_our_staple() {
    if !common::require("openssl") {
        return;
    }
    let good = response(Status::Good, Signer::Issuer);
    for (v, flag) in VERSIONS {
        let out = s_client_output(v, flag, good.clone(), &["-status"]).await;
        assert!(
            out.contains("OCSP Response Status: successful"),
            "{v:?}: {out}"
        );
        assert!(out.contains("Cert Status: good"), "{v:?}: {out}");
        // The response about our leaf: s_client prints its serial.
        assert!(
            out.contains("Serial Number: 4A2CB581B3B362E37386080417C1633B"),
            "{out}"
        );
    }
}

/// Without -status, s_client asks for nothing and our server staples nothing.
#[tokio::test]
async fn openssl_s_client_without_status_gets_no_staple() {
    if !common::require("openssl") {
        return;
    }
    let good = response(Status::Good, Signer::Issuer);
    for (v, flag) in VERSIONS {
        let out = s_client_output(v, flag, good.clone(), &["-msg"]).await;
        assert!(!out.contains("CertificateStatus"), "{v:?}: {out}");
        assert!(!out.contains("OCSP response"), "{v:?}: {out}");
    }
}

/// The example programs: `server --ocsp FILE` staples the file to `openssl
/// s_client -status` and to `client --ocsp require`.
#[tokio::test]
async fn example_server_staples_its_ocsp_file() {
    if !common::require("openssl") {
        return;
    }
    let good = response(Status::Good, Signer::Issuer);
    let file = write_response(&good);
    let port = common::free_port();
    let mut cmd = Command::new(example_bin::example("server"));
    cmd.args(["--listen", &format!("127.0.0.1:{port}")])
        .arg("--cert")
        .arg(common::cert_path("server.pem"))
        .arg("--key")
        .arg(common::cert_path("server.key"))
        .arg("--ocsp")
        .arg(&file);
    let mut server = common::Peer::spawn(cmd, port, false);
    server.wait_listening(common::TIMEOUT);

    let mut cmd = Command::new("openssl");
    cmd.args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
        .arg("-CAfile")
        .arg(common::cert_path("ca.pem"))
        .args(["-servername", "localhost", "-status"]);
    let mut s_client = common::Peer::spawn(cmd, port, true);
    s_client.write(b"hi\n");
    assert!(
        s_client
            .wait_stdout_contains(b"hi\n", common::TIMEOUT)
            .await,
        "{}",
        s_client.describe()
    );
    s_client.close_stdin();
    let _ = s_client.wait_exit(common::TIMEOUT).await;
    let out = s_client.stdout_text();
    assert!(out.contains("Cert Status: good"), "{out}");

    let mut cmd = Command::new(example_bin::example("client"));
    cmd.args(["--connect", &format!("127.0.0.1:{port}")])
        .args(["--server-name", "localhost", "--ocsp", "require"])
        .arg("--ca")
        .arg(common::cert_path("ca.pem"));
    let mut client = common::Peer::spawn(cmd, port, true);
    client.write(b"hello\n");
    assert!(
        client
            .wait_stdout_contains(b"hello\n", common::TIMEOUT)
            .await,
        "{}",
        client.describe()
    );
    client.close_stdin();
    let status = client.wait_exit(common::TIMEOUT).await;
    let text = client.describe();
    assert!(status.is_some_and(|s| s.success()), "{text}");
    assert!(
        text.contains(&format!("ocsp:     {} bytes stapled, verified", good.len())),
        "{text}"
    );
}
