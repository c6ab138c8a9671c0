//! The keying material exporter (RFC 8446 section 7.5, RFC 5705) against
//! rustls, both roles, TLS 1.3 and TLS 1.2: both ends must derive the same
//! bytes, including for an empty label (which RFC 8446 does not forbid and
//! BoGo's ExportKeyingMaterial-*Context-* tests use) with and without a
//! context.

mod support;

use std::sync::Arc;

use lctls::proto::enums::ProtocolVersion;
use lctls::{TlsAcceptor, TlsConnector};
use rustls::crypto::aws_lc_rs as aws;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::SupportedProtocolVersion;
use support::{path, timeout};

/// (lctls version, the same version in rustls).
fn versions() -> [(ProtocolVersion, &'static SupportedProtocolVersion); 2] {
    [
        (ProtocolVersion::TLSv1_3, &rustls::version::TLS13),
        (ProtocolVersion::TLSv1_2, &rustls::version::TLS12),
    ]
}

/// (label, context) requests compared on both ends.
const REQUESTS: &[(&[u8], Option<&[u8]>)] = &[
    (b"", None),
    (b"", Some(b"")),
    (b"", Some(b"context")),
    (b"EXPORTER-lctls", None),
    (b"EXPORTER-lctls", Some(b"context")),
];

fn rustls_acceptor(v: &'static SupportedProtocolVersion) -> tokio_rustls::TlsAcceptor {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path("server.pem"))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(path("server.key")).unwrap();
    let c = rustls::ServerConfig::builder_with_provider(Arc::new(aws::default_provider()))
        .with_protocol_versions(&[v])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(c))
}

fn rustls_connector(v: &'static SupportedProtocolVersion) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(path("ca.pem")).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let c = rustls::ClientConfig::builder_with_provider(Arc::new(aws::default_provider()))
        .with_protocol_versions(&[v])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(c))
}

/// 40 bytes of rustls's exporter output for `label` and `context`, on
/// either side of a connection.
fn rustls_export<D>(
    conn: &rustls::ConnectionCommon<D>,
    label: &[u8],
    context: Option<&[u8]>,
) -> [u8; 40] {
    let mut b = [0u8; 40];
    conn.export_keying_material(&mut b, label, context).unwrap();
    b
}

#[tokio::test]
async fn empty_label_agrees_with_rustls_both_roles_both_versions() {
    timeout(async {
        for (ours_v, theirs_v) in versions() {
            // Our client, rustls server.
            let connector = TlsConnector::from(support::client_with(|b| {
                b.with_protocol_versions(&[ours_v])
            }));
            let (c, s) = tokio::io::duplex(64 * 1024);
            let (ours, theirs) = tokio::join!(
                connector.connect("localhost", c),
                rustls_acceptor(theirs_v).accept(s)
            );
            let (ours, theirs) = (ours.unwrap(), theirs.unwrap());
            check(
                &format!("{ours_v:?} lctls client"),
                |o, l, c| ours.export_keying_material(o, l, c),
                |l, c| rustls_export(theirs.get_ref().1, l, c),
                ours_v,
            );

            // rustls client, our server.
            let acceptor = TlsAcceptor::from(support::server_with("server", |b| {
                b.with_protocol_versions(&[ours_v])
            }));
            let (c, s) = tokio::io::duplex(64 * 1024);
            let name = ServerName::try_from("localhost").unwrap();
            let (theirs, ours) = tokio::join!(
                rustls_connector(theirs_v).connect(name, c),
                acceptor.accept(s)
            );
            let (theirs, ours) = (theirs.unwrap(), ours.unwrap());
            check(
                &format!("{ours_v:?} lctls server"),
                |o, l, c| ours.export_keying_material(o, l, c),
                |l, c| rustls_export(theirs.get_ref().1, l, c),
                ours_v,
            );
        }
    })
    .await
}

/// Compares every request, then checks the context rules: TLS 1.3 hashes
/// the context, so none and empty agree (RFC 8446 section 7.5); TLS 1.2
/// tells them apart (RFC 5705 section 4).
fn check(
    what: &str,
    ours: impl Fn(&mut [u8], &[u8], Option<&[u8]>) -> Result<(), lctls::Error>,
    theirs: impl Fn(&[u8], Option<&[u8]>) -> [u8; 40],
    v: ProtocolVersion,
) {
    let mut got = Vec::new();
    for &(label, context) in REQUESTS {
        let mut a = [0u8; 40];
        ours(&mut a, label, context).unwrap_or_else(|e| {
            panic!("{what}: lctls refused label {label:?} context {context:?}: {e}")
        });
        assert_eq!(
            a,
            theirs(label, context),
            "{what}: label {label:?} context {context:?}: lctls and rustls differ"
        );
        got.push(a);
    }
    let (no_context, empty_context) = (got[0], got[1]);
    match v {
        ProtocolVersion::TLSv1_3 => assert_eq!(no_context, empty_context, "{what}"),
        _ => assert_ne!(no_context, empty_context, "{what}"),
    }
    assert_ne!(got[0], got[3], "{what}: the label must matter");
}
