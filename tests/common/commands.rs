//! The command lines of the interoperability peers: `openssl s_server` /
//! `s_client` and `gnutls-serv` / `gnutls-cli`, built or started as a
//! [`Peer`] (see the parent module's docs for how each tool behaves).

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------
// OpenSSL

/// `openssl s_server` command line (not started): `-accept 127.0.0.1:PORT
/// <openssl_cert_args(cert, key)> -tls1_3 -rev -quiet`, then `extra`. See the
/// module docs for `-rev` behaviour.
pub fn openssl_s_server_cmd(port: u16, cert: &str, key: &str, extra: &[&str]) -> Command {
    openssl_s_server_version_cmd(port, cert, key, "-tls1_3", extra)
}

/// [`openssl_s_server_cmd`] with the protocol flag `version` (e.g.
/// `"-tls1_2"`) instead of `-tls1_3`.
pub fn openssl_s_server_version_cmd(
    port: u16,
    cert: &str,
    key: &str,
    version: &str,
    extra: &[&str],
) -> Command {
    let mut c = Command::new("openssl");
    c.arg("s_server")
        .arg("-accept")
        .arg(format!("127.0.0.1:{port}"))
        .args(openssl_cert_args(cert, key))
        .args([version, "-rev", "-quiet"])
        .args(extra);
    c
}

/// Borrows owned arguments (as [`openssl_cert_args`] returns them) as the
/// `&[&str]` the peer helpers take.
pub fn as_strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// Absolute path of a file in `certs/` as a `String`, handy for `extra`
/// arguments: `&["--x509cafile", &cert_arg("ca.pem")]`.
pub fn cert_arg(name: &str) -> String {
    cert_path(name).to_str().expect("utf-8 path").to_string()
}

/// OpenSSL arguments to present the chain file `certs/CHAIN` with key
/// `certs/KEY`: `-cert <chain> -key <key>`, plus `-cert_chain <rest>` when
/// the file holds more than one certificate.
///
/// `-cert` only loads the *first* certificate of a file, and passing the same
/// file to `-cert_chain` sends the leaf twice (leaf, leaf, intermediate). So
/// the certificates after the first are written to a separate file under
/// `CARGO_TARGET_TMPDIR`. Use for s_client client auth too:
/// ```ignore
/// let a = common::openssl_cert_args("client.pem", "client.key");
/// let a: Vec<&str> = a.iter().map(String::as_str).collect();
/// let c = common::openssl_s_client(port, &a);
/// ```
pub fn openssl_cert_args(chain: &str, key: &str) -> Vec<String> {
    let mut v = vec![
        "-cert".to_string(),
        cert_arg(chain),
        "-key".to_string(),
        cert_arg(key),
    ];
    let text = String::from_utf8(cert_bytes(chain)).expect("PEM is UTF-8");
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    let starts: Vec<usize> = text.match_indices(BEGIN).map(|(i, _)| i).collect();
    if starts.len() > 1 {
        let tail = &text[starts[1]..];
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let path = dir.join(format!("lctls-chain-tail-{chain}"));
        if std::fs::read_to_string(&path).ok().as_deref() != Some(tail) {
            // Write-then-rename: parallel tests never see a partial file.
            static N: AtomicU64 = AtomicU64::new(0);
            let tmp = dir.join(format!(
                ".lctls-chain-tail-{chain}.{}.{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::write(&tmp, tail).expect("write chain tail");
            std::fs::rename(&tmp, &path).expect("place chain tail");
        }
        v.push("-cert_chain".to_string());
        v.push(path.to_str().expect("utf-8 path").to_string());
    }
    v
}

/// Starts `openssl s_server` (see [`openssl_s_server_cmd`]) and waits until
/// it listens. It answers each `\n`-terminated line with the line reversed.
///
/// Useful `extra`: `-naccept 1`; `-Verify 1 -CAfile <ca>` (require a client
/// certificate) / `-verify 1` (request one); `-ciphersuites TLS_AES_128_GCM_SHA256`;
/// `-groups X25519`; `-sigalgs ...`; `-msg` / `-trace` (to stdout).
pub fn openssl_s_server(port: u16, cert: &str, key: &str, extra: &[&str]) -> Peer {
    let mut p = Peer::spawn(openssl_s_server_cmd(port, cert, key, extra), port, false);
    p.wait_listening(TIMEOUT);
    p
}

/// `openssl s_client` command line (not started): `-connect 127.0.0.1:PORT
/// -tls1_3 -CAfile certs/ca.pem -verify_return_error -servername localhost
/// -verify_hostname localhost -quiet -no_ign_eof -nocommands`, then `extra`.
pub fn openssl_s_client_cmd(port: u16, extra: &[&str]) -> Command {
    let mut c = openssl_s_client_base(port);
    c.arg("-nocommands").args(extra);
    c
}

fn openssl_s_client_base(port: u16) -> Command {
    openssl_s_client_version_cmd(port, "-tls1_3", true, false, &[])
}

/// Starts `openssl s_client` (see [`openssl_s_client_cmd`]) with piped
/// stdin. Returns at once; the handshake happens in the background.
///
/// Typical use (async test, lctls server on `port`):
/// ```ignore
/// let mut c = common::openssl_s_client(port, &[]);
/// c.write(b"hello\n");
/// assert!(c.wait_stdout_contains(b"hello\n", common::TIMEOUT).await, "{}", c.describe());
/// c.close_stdin(); // s_client sends close_notify and exits 0 right away
/// assert!(c.wait_exit(common::TIMEOUT).await.unwrap().success());
/// ```
/// Useful `extra`: `-cert <chain> -key <key>` (client auth, use
/// [`cert_path`]), `-ciphersuites ...`, `-groups ...`, `-sigalgs ...`,
/// `-msg`, `-keylogfile <f>`. Later options override earlier ones.
pub fn openssl_s_client(port: u16, extra: &[&str]) -> Peer {
    Peer::spawn(openssl_s_client_cmd(port, extra), port, true)
}

/// Like [`openssl_s_client`] but without `-nocommands`: a stdin chunk `k\n`
/// makes s_client send KeyUpdate(update_not_requested), `K\n`
/// KeyUpdate(update_requested), `Q\n` close_notify. Write the command on its
/// own, with a pause (~200 ms) before and after, so it forms its own read.
pub fn openssl_s_client_with_commands(port: u16, extra: &[&str]) -> Peer {
    let mut c = openssl_s_client_base(port);
    c.args(extra);
    Peer::spawn(c, port, true)
}

// ---------------------------------------------------------------------------
// GnuTLS

/// `gnutls-serv` command line (not started): `--echo --crlf -p PORT
/// --x509certfile certs/CERT --x509keyfile certs/KEY --priority
/// NORMAL:-VERS-ALL:+VERS-TLS1.3`, then `extra`.
///
/// gnutls-serv has no option to bind to a specific address: it listens on
/// 0.0.0.0 and :: (all interfaces). Acceptable, since only loopback clients
/// connect and the server lives only as long as the test.
pub fn gnutls_serv_cmd(port: u16, cert: &str, key: &str, extra: &[&str]) -> Command {
    let mut c = Command::new("gnutls-serv");
    c.args(["--echo", "--crlf", "-p"])
        .arg(port.to_string())
        .arg("--x509certfile")
        .arg(cert_path(cert))
        .arg("--x509keyfile")
        .arg(cert_path(key))
        .arg("--priority")
        .arg(GNUTLS_TLS13)
        .args(extra);
    c
}

/// Starts `gnutls-serv --echo` (see [`gnutls_serv_cmd`]) and waits until it
/// listens. It echoes every record back byte for byte and *requests* (does
/// not require) a client certificate unless `--disable-client-cert` is in
/// `extra`.
///
/// Useful `extra`: `--disable-client-cert`, `--require-client-cert
/// --x509cafile <ca>`, `--priority <string>` (overrides the default),
/// `--noticket`, `--alpn <p>`, `-d 4` (debug to stderr).
pub fn gnutls_serv(port: u16, cert: &str, key: &str, extra: &[&str]) -> Peer {
    let mut p = Peer::spawn(gnutls_serv_cmd(port, cert, key, extra), port, false);
    p.wait_listening(TIMEOUT);
    p
}

/// `gnutls-cli` command line (not started), informational messages to
/// `log`: `--logfile LOG --x509cafile certs/ca.pem -p PORT --sni-hostname
/// localhost --verify-hostname localhost --priority
/// NORMAL:-VERS-ALL:+VERS-TLS1.3`, then `extra`, then `127.0.0.1`.
pub fn gnutls_cli_cmd(port: u16, log: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new("gnutls-cli");
    c.arg(format!("--logfile={}", log.display()))
        .arg("--x509cafile")
        .arg(cert_path("ca.pem"))
        .arg("-p")
        .arg(port.to_string())
        .args([
            "--sni-hostname",
            "localhost",
            "--verify-hostname",
            "localhost",
        ])
        .arg("--priority")
        .arg(GNUTLS_TLS13)
        .args(extra)
        .arg("127.0.0.1");
    c
}

/// Starts `gnutls-cli` (see [`gnutls_cli_cmd`]) with piped stdin; stdout
/// carries only the application data, the rest is in [`Peer::log_text`].
/// On stdin EOF it sends close_notify, reads until the server's close_notify
/// and exits 0.
///
/// Useful `extra`: `--x509certfile <chain> --x509keyfile <key>` (client
/// auth), `--priority <string>`, `--insecure`, `--alpn <p>`, `--crlf`,
/// `-d 4`.
pub fn gnutls_cli(port: u16, extra: &[&str]) -> Peer {
    let log = temp_log_path("gnutls-cli");
    let mut p = Peer::spawn(gnutls_cli_cmd(port, &log, extra), port, true);
    p.log = Some(log);
    p
}

// ---------------------------------------------------------------------------
// Other protocol versions

/// Like [`openssl_s_server`] but with the protocol flag `version` (e.g.
/// `"-tls1_2"`) instead of `-tls1_3`: OpenSSL refuses two protocol flags
/// ("Cannot supply multiple protocol flags"), so `extra` cannot override it.
pub fn openssl_s_server_version(
    port: u16,
    cert: &str,
    key: &str,
    version: &str,
    extra: &[&str],
) -> Peer {
    let c = openssl_s_server_version_cmd(port, cert, key, version, extra);
    let mut p = Peer::spawn(c, port, false);
    p.wait_listening(TIMEOUT);
    p
}

/// The [`openssl_s_client_cmd`] command line with the protocol flag
/// `version` (e.g. `"-tls1_2"`) instead of `-tls1_3`, without `-quiet` when
/// `quiet` is false (then the session summary, e.g. `New, TLSv1.2, Cipher is
/// ...` or `Reused, ...`, goes to stdout), and with `-nocommands` when
/// `nocommands` is true. `extra` comes last.
pub fn openssl_s_client_version_cmd(
    port: u16,
    version: &str,
    quiet: bool,
    nocommands: bool,
    extra: &[&str],
) -> Command {
    let mut c = Command::new("openssl");
    c.arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{port}"))
        .arg(version)
        .arg("-CAfile")
        .arg(cert_path("ca.pem"))
        .args([
            "-verify_return_error",
            "-servername",
            "localhost",
            "-verify_hostname",
            "localhost",
        ]);
    if quiet {
        c.arg("-quiet");
    }
    c.arg("-no_ign_eof");
    if nocommands {
        c.arg("-nocommands");
    }
    c.args(extra);
    c
}

/// Starts [`openssl_s_client_version_cmd`] with piped stdin.
pub fn openssl_s_client_version(
    port: u16,
    version: &str,
    quiet: bool,
    nocommands: bool,
    extra: &[&str],
) -> Peer {
    Peer::spawn(
        openssl_s_client_version_cmd(port, version, quiet, nocommands, extra),
        port,
        true,
    )
}
