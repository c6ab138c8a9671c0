//! OCSP responses for certs/server.pem, made at test time by `openssl ocsp`
//! from an index file, as a CA's responder would make them: signed by the
//! intermediate that issued the leaf, by a delegated responder it certified
//! (with or without id-kp-OCSPSigning), or by an unrelated CA.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use std::sync::Arc;

use lctls::config::ServerConfig;
use lctls::proto::enums::ProtocolVersion;

use super::{certified_key, path};

/// A server presenting certs/server.pem for `versions`, stapling `staple`.
pub fn stapling_server(versions: &[ProtocolVersion], staple: Option<Vec<u8>>) -> Arc<ServerConfig> {
    let mut key = certified_key("server", "server.key");
    if let Some(s) = staple {
        key = key.with_ocsp(s);
    }
    Arc::new(
        ServerConfig::builder()
            .with_certified_key(key)
            .with_protocol_versions(versions)
            .build()
            .unwrap(),
    )
}

/// What the index file says about the certificate.
#[derive(Clone, Copy, Debug)]
pub enum Status {
    Good,
    Revoked,
    /// Not in the index: the responder answers "unknown".
    Unknown,
}

/// Who signs the response.
#[derive(Clone, Copy, Debug)]
pub enum Signer {
    /// The intermediate CA that issued the leaf.
    Issuer,
    /// A responder certificate the intermediate issued with id-kp-OCSPSigning.
    Delegated,
    /// A certificate the intermediate issued without id-kp-OCSPSigning.
    DelegatedWithoutEku,
    /// certs/other-ca, which has nothing to do with the leaf.
    Stranger,
}

fn openssl(args: &[&str], dir: &Path) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fresh directory under the target's temporary directory.
pub fn scratch_dir(what: &str) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "lctls-ocsp-{what}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The leaf of a certs/ chain file, alone, as PEM in `dir`.
fn leaf_pem(chain: &str, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(path(chain)).unwrap();
    let end = "-----END CERTIFICATE-----";
    let i = text.find(end).unwrap() + end.len();
    let p = dir.join(format!("leaf-{chain}"));
    std::fs::write(&p, format!("{}\n", &text[..i])).unwrap();
    p
}

/// The leaf's serial in upper-case hex, and its subject in index form.
fn serial_and_subject(leaf: &Path, dir: &Path) -> (String, String) {
    let out = Command::new("openssl")
        .args([
            "x509", "-noout", "-serial", "-subject", "-nameopt", "compat",
        ])
        .arg("-in")
        .arg(leaf)
        .current_dir(dir)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let serial = text
        .lines()
        .find_map(|l| l.strip_prefix("serial="))
        .unwrap()
        .to_string();
    let subject = text
        .lines()
        .find_map(|l| l.strip_prefix("subject="))
        .unwrap()
        .trim()
        .to_string();
    (serial, subject)
}

/// Responder certificates issued by the intermediate, made once per test
/// process: (cert, key) paths with and without id-kp-OCSPSigning.
fn responders() -> &'static ((PathBuf, PathBuf), (PathBuf, PathBuf)) {
    static R: OnceLock<((PathBuf, PathBuf), (PathBuf, PathBuf))> = OnceLock::new();
    R.get_or_init(|| {
        let dir = scratch_dir("responders");
        let make = |stem: &str, ext: &str| {
            let key = format!("{stem}.key");
            let csr = format!("{stem}.csr");
            let pem = format!("{stem}.pem");
            let extfile = format!("{stem}.ext");
            std::fs::write(dir.join(&extfile), ext).unwrap();
            openssl(
                &[
                    "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", &key, "-out", &csr, "-subj",
                    &format!("/O=lctls test/CN={stem}"),
                ],
                &dir,
            );
            openssl(
                &[
                    "x509", "-req", "-in", &csr, "-CA", &path("inter.pem"), "-CAkey",
                    &path("inter.key"), "-set_serial", "4242", "-days", "30", "-extfile",
                    &extfile, "-out", &pem,
                ],
                &dir,
            );
            (dir.join(pem), dir.join(key))
        };
        (
            make(
                "responder",
                "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=OCSPSigning\n",
            ),
            make(
                "not-a-responder",
                "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
            ),
        )
    })
}

/// A DER OCSP response about the leaf of `chain` (a certs/ file issued by
/// the intermediate), valid for `minutes` from now.
pub fn response_for(chain: &str, status: Status, signer: Signer, minutes: u32) -> Vec<u8> {
    let dir = scratch_dir("resp");
    let leaf = leaf_pem(chain, &dir);
    let (serial, subject) = serial_and_subject(&leaf, &dir);
    let line = match status {
        Status::Good => format!("V\t461118104520Z\t\t{serial}\tunknown\t{subject}\n"),
        Status::Revoked => {
            format!("R\t461118104520Z\t250101000000Z\t{serial}\tunknown\t{subject}\n")
        }
        Status::Unknown => String::new(),
    };
    std::fs::write(dir.join("index.txt"), line).unwrap();
    let (cert, key) = match signer {
        Signer::Issuer => (
            PathBuf::from(path("inter.pem")),
            PathBuf::from(path("inter.key")),
        ),
        Signer::Delegated => responders().0.clone(),
        Signer::DelegatedWithoutEku => responders().1.clone(),
        Signer::Stranger => (
            PathBuf::from(path("other-ca.pem")),
            PathBuf::from(path("other-ca.key")),
        ),
    };
    let mins = minutes.to_string();
    let (cert, key, leaf) = (
        cert.to_str().unwrap().to_string(),
        key.to_str().unwrap().to_string(),
        leaf.to_str().unwrap().to_string(),
    );
    openssl(
        &[
            "ocsp",
            "-index",
            "index.txt",
            "-rsigner",
            &cert,
            "-rkey",
            &key,
            "-CA",
            &path("inter.pem"),
            "-issuer",
            &path("inter.pem"),
            "-cert",
            &leaf,
            "-respout",
            "resp.der",
            "-nmin",
            &mins,
        ],
        &dir,
    );
    let der = std::fs::read(dir.join("resp.der")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    der
}

/// [`response_for`] certs/server.pem, valid for a day.
pub fn response(status: Status, signer: Signer) -> Vec<u8> {
    response_for("server.pem", status, signer, 24 * 60)
}

/// Writes `der` to a fresh file and returns its path (for `-status_file`).
pub fn write_response(der: &[u8]) -> PathBuf {
    let p = scratch_dir("file").join("resp.der");
    std::fs::write(&p, der).unwrap();
    p
}
