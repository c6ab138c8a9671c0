//! The debugging flags of the `client` and `server` examples, run as
//! processes: `--tls12`/`--tls13`/`--versions`, `--suites`, `--groups`,
//! `--alpn` and `--verbose` (the peer's chain, and a refused chain laid out
//! with the certificate and rule at fault).

mod example_bin;
mod example_procs;

use example_procs::*;

/// `--tls13 --suites --groups --alpn` on both sides choose exactly what is
/// printed; `client --verbose` prints the server's chain certificate by
/// certificate.
#[test]
fn tls13_suite_group_alpn_flags_and_verbose_chain() {
    let server = Server::start(&[
        "--tls13",
        "--suites",
        "TLS13_CHACHA20_POLY1305_SHA256,TLS13_AES_128_GCM_SHA256",
        "--groups",
        "x25519,secp256r1",
        "--alpn",
        "h2,http/1.1",
    ]);
    let out = client_of(
        &server,
        &[
            "--tls13",
            "--suites",
            "TLS13_CHACHA20_POLY1305_SHA256",
            "--groups",
            "X25519",
            "--alpn",
            "h2",
            "--verbose",
        ],
        b"ping\n",
    );
    assert!(out.status.success(), "client failed: {}", out.stderr);
    assert_lines(
        &out.stderr,
        &[
            "version:  TLSv1_3",
            "suite:    TLS13_CHACHA20_POLY1305_SHA256",
            "group:    X25519",
            "alpn:     h2",
            "peer chain: 2 certificate(s)",
            "  [0] subject: CN=localhost,O=lctls test",
            "      issuer:  CN=lctls test intermediate CA,O=lctls test",
            "      SANs:    DNS:localhost, IP:127.0.0.1, IP:::1",
            "  [1] subject: CN=lctls test intermediate CA,O=lctls test",
            "      issuer:  CN=lctls test root CA,O=lctls test",
        ],
        &server.log(),
    );
    assert!(
        out.stderr
            .lines()
            .any(|l| l.starts_with("      valid:   ") && l.contains("Z to ") && l.ends_with('Z')),
        "{}",
        out.stderr
    );
    wait_log(
        &server,
        "version=TLSv1_3 suite=TLS13_CHACHA20_POLY1305_SHA256 group=X25519 alpn=h2",
    );
}

/// `--versions 1.2` on the server, 1.3 and 1.2 offered by the client, with
/// TLS 1.2 suite and group choices.
#[test]
fn tls12_versions_flag_with_suite_and_group() {
    let server = Server::start(&["--versions", "1.2", "--groups", "secp384r1,secp256r1"]);
    let out = client_of(
        &server,
        &[
            "--versions",
            "1.3,1.2",
            "--suites",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            // secp256r1 too: in TLS 1.2 the groups also name the curves the
            // client accepts ECDSA certificates on (RFC 8422), and
            // certs/server.pem is on P-256.
            "--groups",
            "secp384r1,secp256r1",
        ],
        b"ping\n",
    );
    assert!(out.status.success(), "client failed: {}", out.stderr);
    assert_lines(
        &out.stderr,
        &[
            "version:  TLSv1_2",
            "suite:    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "group:    secp384r1",
            "alpn:     -",
        ],
        &server.log(),
    );
}

/// An unknown suite name is a usage error naming the known ones.
#[test]
fn unknown_suite_name_is_a_usage_error() {
    let out = run_client(
        &[
            "--connect",
            "127.0.0.1:1",
            "--suites",
            "TLS_RSA_WITH_RC4_128_MD5",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("unknown cipher suite 'TLS_RSA_WITH_RC4_128_MD5'; known: ")
            && out.stderr.contains("TLS13_AES_128_GCM_SHA256"),
        "{}",
        out.stderr
    );
}

/// A refused chain under `client --verbose`: the error, the certificate at
/// fault by position, the rule, and the chain with the culprit marked.
#[test]
fn verbose_client_lays_out_a_refused_chain() {
    let server = Server::with_cert("wrong-name", &[]);
    let out = client_of(&server, &["--verbose"], b"");
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    assert_lines(
        &out.stderr,
        &[
            "verification failed: certificate is not valid for 'localhost'; it is valid for 'wrong.example.com'",
            "  certificate: [0] of the chain the peer sent",
            "  rule: NotValidForName",
            "peer chain: 2 certificate(s)",
            "  [0] subject: CN=wrong.example.com,O=lctls test   <-- refused",
            "      SANs:    DNS:wrong.example.com",
            "  [1] subject: CN=lctls test intermediate CA,O=lctls test",
        ],
        &server.log(),
    );
}

/// A profile rule broken by the end entity (no authorityKeyIdentifier, made
/// with rcgen here) is named with its rule and section under `--verbose`.
#[test]
fn verbose_client_names_the_profile_rule_broken() {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name
        .push(DnType::CommonName, "cli test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.use_authority_key_identifier_extension = false;
    let leaf = leaf.signed_by(&key, &ca, &ca_key).unwrap();
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let tag = std::process::id();
    let (ca_file, leaf_file, key_file) = (
        dir.join(format!("cli-ca-{tag}.pem")),
        dir.join(format!("cli-leaf-{tag}.pem")),
        dir.join(format!("cli-leaf-{tag}.key")),
    );
    std::fs::write(&ca_file, ca.pem()).unwrap();
    std::fs::write(&leaf_file, leaf.pem()).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();

    let server = Server::start(&[
        "--cert",
        leaf_file.to_str().unwrap(),
        "--key",
        key_file.to_str().unwrap(),
    ]);
    let out = client_of(
        &server,
        &["--ca", ca_file.to_str().unwrap(), "--verbose"],
        b"",
    );
    for f in [&ca_file, &leaf_file, &key_file] {
        let _ = std::fs::remove_file(f);
    }
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    assert_lines(
        &out.stderr,
        &[
            "  certificate: [0] of the chain the peer sent",
            "peer chain: 1 certificate(s)",
            "  [0] subject: CN=localhost   <-- refused",
            "      issuer:  CN=cli test CA",
        ],
        &server.log(),
    );
    assert!(
        out.stderr
            .lines()
            .any(|l| l
                == "  rule: MissingAuthorityKeyId: lacks authorityKeyIdentifier (RFC 5280 4.2.1.1), as end-entity certificate"),
        "{}",
        out.stderr
    );
}

/// `server --verbose` prints the chain of a client certificate it refuses,
/// marking the certificate and naming the rule.
#[test]
fn verbose_server_lays_out_a_refused_client_chain() {
    let server = Server::start(&[
        "--client-ca",
        &cert("ca.pem"),
        "--require-client-cert",
        "--verbose",
    ]);
    let out = client_of(
        &server,
        &[
            "--cert",
            &cert("untrusted.pem"),
            "--key",
            &cert("untrusted.key"),
        ],
        b"hello\n",
    );
    assert!(!out.status.success(), "{}", out.stderr);
    wait_log(&server, "<-- refused");
    let log = server.log();
    let lines: Vec<&str> = log
        .lines()
        .filter_map(|l| l.split_once("] ").map(|(_, rest)| rest))
        .collect();
    assert_lines(
        &lines.join("\n"),
        &[
            "verification failed: certificate 'CN=localhost,O=lctls test' is not valid for clientAuth (extendedKeyUsage)",
            "  certificate: [0] of the chain the peer sent",
            "  rule: InvalidPurpose",
            "peer chain: 1 certificate(s)",
            "  [0] subject: CN=localhost,O=lctls test   <-- refused",
            "      issuer:  CN=lctls other (untrusted) root CA,O=lctls test",
        ],
        "",
    );
}
