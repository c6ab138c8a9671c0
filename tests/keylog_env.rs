//! SSLKEYLOGFILE is honoured only where a program opts in: by
//! `KeyLogFile::from_env()` (and so by the example programs), never by the
//! library on its own.

mod common;
mod example_bin;
mod support;

use std::process::Command;

use lctls::config::KeyLogFile;

fn labels(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split(' ').next().map(String::from))
        .collect()
}

/// One test, since it sets a process-wide variable.
#[tokio::test]
async fn sslkeylogfile_is_opt_in() {
    let dir = std::env::temp_dir().join(format!("lctls-keylog-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("keys.log");

    std::env::remove_var("SSLKEYLOGFILE");
    assert!(KeyLogFile::from_env().is_none());
    std::env::set_var("SSLKEYLOGFILE", "");
    assert!(KeyLogFile::from_env().is_none(), "empty means unset");
    std::env::set_var("SSLKEYLOGFILE", dir.join("missing-dir/keys.log"));
    assert!(KeyLogFile::from_env().is_none(), "unopenable: no log");

    // The library alone ignores the variable.
    std::env::set_var("SSLKEYLOGFILE", &path);
    support::timeout(support::pair(
        support::client_config(),
        support::server_config("server"),
        "localhost",
    ))
    .await;
    assert!(!path.exists(), "nothing logged without with_key_log");

    // A program that opts in logs every secret.
    let log = KeyLogFile::from_env().expect("SSLKEYLOGFILE is set");
    let client = support::client_with(|b| b.with_key_log(log));
    support::timeout(support::pair(
        client,
        support::server_config("server"),
        "localhost",
    ))
    .await;
    assert_eq!(labels(&path).len(), 5, "{:?}", labels(&path));
    std::fs::remove_file(&path).unwrap();

    // The example server opts in (no --keylog given).
    let port = common::free_port();
    let mut cmd = Command::new(example_bin::example("server"));
    cmd.args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--cert", &support::path("server.pem")])
        .args(["--key", &support::path("server.key")])
        .env("SSLKEYLOGFILE", &path);
    let mut server = common::Peer::spawn(cmd, port, false);
    server.wait_listening(common::TIMEOUT);
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let connector = lctls::TlsConnector::from(support::client_config());
    support::timeout(connector.connect("localhost", tcp))
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + common::TIMEOUT;
    while labels(&path).len() < 5 {
        assert!(std::time::Instant::now() < deadline, "{:?}", labels(&path));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(labels(&path).contains(&"SERVER_TRAFFIC_SECRET_0".to_string()));
    drop(server);
    std::env::remove_var("SSLKEYLOGFILE");
    let _ = std::fs::remove_dir_all(&dir);
}
