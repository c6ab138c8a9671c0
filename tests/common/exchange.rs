//! The exchanges the interop tests repeat with a peer: an s_client session
//! against our echo server (write, wait for the answer, close, exit 0),
//! where its saved session goes, and a line round trip from our client to an
//! echoing or reversing server.

use std::path::PathBuf;

use super::{openssl_s_client_version, Peer, TIMEOUT};

/// The s_client exchange with an echoing (or reversing) server: writes
/// `line`, waits until `expect` is on s_client's stdout, closes stdin (so
/// s_client sends close_notify; see the module docs for why not earlier) and
/// asserts that it exits 0. Panics with the peer's output otherwise.
pub async fn s_client_exchange(c: &mut Peer, line: &[u8], expect: &[u8]) {
    c.write(line);
    assert!(
        c.wait_stdout_contains(expect, TIMEOUT).await,
        "no {:?} from the server:\n{}",
        String::from_utf8_lossy(expect),
        c.describe()
    );
    c.close_stdin();
    let status = c.wait_exit(TIMEOUT).await.expect("s_client exit");
    assert!(status.success(), "s_client failed:\n{}", c.describe());
}

/// One non-quiet s_client session (so it prints `New, ...` or `Reused, ...`)
/// at protocol flag `version` with `extra`: [`s_client_exchange`] of `line`
/// with an echoing server (by then a TLS 1.3 s_client has read the tickets,
/// which come before the echo); returns its stdout.
pub async fn s_client_session(port: u16, version: &str, extra: &[&str], line: &[u8]) -> String {
    s_client_session_expect(port, version, extra, line, line).await
}

/// [`s_client_session`] waiting for `expect` rather than the echo of `line`.
pub async fn s_client_session_expect(
    port: u16,
    version: &str,
    extra: &[&str],
    line: &[u8],
    expect: &[u8],
) -> String {
    let mut c = openssl_s_client_version(port, version, false, true, extra);
    s_client_exchange(&mut c, line, expect).await;
    c.stdout_text()
}

/// A scratch path for a saved session (`-sess_out`/`-sess_in`):
/// `$CARGO_TARGET_TMPDIR/lctls-{test}-{tag}-{pid}-{port}.pem`, distinct per
/// test file, case, process and server.
pub fn session_file(test: &str, tag: &str, port: u16) -> String {
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "lctls-{test}-{tag}-{}-{port}.pem",
        std::process::id()
    ));
    p.to_str().unwrap().to_string()
}

/// Sends `line` and a newline, checks the peer answers the line `want`
/// (`gnutls-serv --echo` echoes it, `s_server -rev` reverses it), then closes
/// with close_notify and checks the peer answers with its own and nothing
/// else.
pub async fn line_roundtrip_and_close<S>(tls: S, line: &str, want: &str)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    let mut tls = tokio::io::BufReader::new(tls);
    tls.get_mut()
        .write_all(format!("{line}\n").as_bytes())
        .await
        .unwrap();
    tls.get_mut().flush().await.unwrap();
    let mut got = String::new();
    tls.read_line(&mut got).await.unwrap();
    assert_eq!(got, format!("{want}\n"));
    tls.get_mut().shutdown().await.unwrap();
    let mut rest = Vec::new();
    tls.read_to_end(&mut rest)
        .await
        .expect("the peer's close_notify");
    assert!(rest.is_empty(), "unexpected data after close: {rest:?}");
}
