//! Chains made at test time by real CAs' tools: the openssl CLI (`openssl
//! req` / `openssl x509`, as certs/make.sh does) and GnuTLS's certtool, in a
//! fresh directory under the target dir.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use lctls::pki::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// A scratch directory for one test's keys and certificates.
pub struct Workdir {
    pub dir: PathBuf,
}

/// The extension sections openssl signs with: what a CA following RFC 5280
/// and the Baseline Requirements puts in roots, intermediates and leaves.
const EXT: &str = "\
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[int]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[leaf]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost, IP:127.0.0.1
";

impl Workdir {
    pub fn new(tag: &str) -> Self {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("lctls-pki-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("ext.cnf"), EXT).expect("ext.cnf");
        std::fs::write(
            dir.join("req.cnf"),
            "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = unused\n",
        )
        .expect("req.cnf");
        Workdir { dir }
    }

    pub fn path(&self, name: &str) -> String {
        self.dir
            .join(name)
            .to_str()
            .expect("utf-8 path")
            .to_string()
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = Command::new(tool)
            .args(args)
            .current_dir(&self.dir)
            .output()
            .unwrap_or_else(|e| panic!("{tool}: {e}"));
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `openssl genpkey` for `kind`: `rsa:BITS` or `ec:CURVE`.
    pub fn key(&self, name: &str, kind: &str) {
        let out = format!("{name}.key");
        match kind.split_once(':') {
            Some(("rsa", bits)) => self.run(
                "openssl",
                &[
                    "genpkey",
                    "-quiet",
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    &format!("rsa_keygen_bits:{bits}"),
                    "-out",
                    &out,
                ],
            ),
            Some(("ec", curve)) => self.run(
                "openssl",
                &[
                    "genpkey",
                    "-quiet",
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    &format!("ec_paramgen_curve:{curve}"),
                    "-pkeyopt",
                    "ec_param_enc:named_curve",
                    "-out",
                    &out,
                ],
            ),
            _ => panic!("unknown key kind {kind}"),
        }
    }

    /// A certificate `name.pem` for `name.key` with subject `/CN=cn`,
    /// extensions `section`, signed by `ca` (`None`: self-signed) with
    /// digest `md`.
    pub fn cert(&self, name: &str, cn: &str, section: &str, ca: Option<&str>, md: &str) {
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        let pem = format!("{name}.pem");
        let subj = format!("/CN={cn}");
        self.run(
            "openssl",
            &[
                "req", "-new", "-config", "req.cnf", "-key", &key, "-subj", &subj, "-out", &csr,
            ],
        );
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let serial = format!(
            "0x{:x}",
            (0x4000_0000_u64 + u64::from(std::process::id())) << 16 | NEXT.fetch_add(1, Relaxed)
        );
        let mut args = vec![
            "x509".to_string(),
            "-req".into(),
            "-in".into(),
            csr,
            format!("-{md}"),
            "-days".into(),
            "30".into(),
            "-set_serial".into(),
            serial,
            "-extfile".into(),
            "ext.cnf".into(),
            "-extensions".into(),
            section.into(),
            "-out".into(),
            pem,
        ];
        match ca {
            None => args.extend(["-signkey".into(), key]),
            Some(ca) => args.extend([
                "-CA".into(),
                format!("{ca}.pem"),
                "-CAkey".into(),
                format!("{ca}.key"),
            ]),
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run("openssl", &args);
    }

    /// GnuTLS certtool: a key `name.key` (`ecdsa` or `rsa`), and a
    /// certificate from `template`, self-signed or signed by `ca`.
    pub fn certtool(&self, name: &str, key_type: &str, template: &str, ca: Option<&str>) {
        let key = format!("{name}.key");
        let tmpl = format!("{name}.tmpl");
        let pem = format!("{name}.pem");
        std::fs::write(self.dir.join(&tmpl), template).expect("template");
        self.run(
            "certtool",
            &[
                "--generate-privkey",
                "--key-type",
                key_type,
                "--outfile",
                &key,
            ],
        );
        match ca {
            None => self.run(
                "certtool",
                &[
                    "--generate-self-signed",
                    "--load-privkey",
                    &key,
                    "--template",
                    &tmpl,
                    "--outfile",
                    &pem,
                ],
            ),
            Some(ca) => {
                let (cacert, cakey) = (format!("{ca}.pem"), format!("{ca}.key"));
                self.run(
                    "certtool",
                    &[
                        "--generate-certificate",
                        "--load-privkey",
                        &key,
                        "--load-ca-certificate",
                        &cacert,
                        "--load-ca-privkey",
                        &cakey,
                        "--template",
                        &tmpl,
                        "--outfile",
                        &pem,
                    ],
                )
            }
        }
    }

    /// The first certificate of `name.pem`.
    pub fn der(&self, name: &str) -> CertificateDer<'static> {
        CertificateDer::from_pem_file(self.path(&format!("{name}.pem"))).expect("PEM certificate")
    }
}
