//! Key logging proven by Wireshark: four loopback connections (TLS 1.3 and
//! 1.2, the key log on the client side or on the server side only) are
//! captured with dumpcap, and tshark decrypts each connection's
//! application data with that connection's key log alone, and nothing with
//! another's; then a TLS 1.3 resumption with 0-RTT data, whose early data
//! tshark decrypts with CLIENT_EARLY_TRAFFIC_SECRET.

mod common;
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lctls::config::{KeyLog, KeyLogFile};
use lctls::proto::enums::ProtocolVersion;
use lctls::proto::{EarlyDataReason, OnReject};
use lctls::{TlsAcceptor, TlsConnector};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

struct Case {
    version: ProtocolVersion,
    client_side: bool,
    name: &'static str,
}

const CASES: [Case; 4] = [
    Case {
        version: ProtocolVersion::TLSv1_3,
        client_side: true,
        name: "tls13-clientlog",
    },
    Case {
        version: ProtocolVersion::TLSv1_3,
        client_side: false,
        name: "tls13-serverlog",
    },
    Case {
        version: ProtocolVersion::TLSv1_2,
        client_side: true,
        name: "tls12-clientlog",
    },
    Case {
        version: ProtocolVersion::TLSv1_2,
        client_side: false,
        name: "tls12-serverlog",
    },
];

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lctls-keylog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Starts dumpcap on loopback for `port` and waits until it captures.
fn start_capture(port: u16, file: &Path) -> common::Peer {
    let mut cmd = Command::new("dumpcap");
    cmd.args(["-i", "lo", "-f", &format!("tcp port {port}"), "-w"])
        .arg(file)
        .stdout(Stdio::null());
    let mut peer = common::Peer::spawn(cmd, port, false);
    let deadline = Instant::now() + common::TIMEOUT;
    while !peer.stderr_text().contains("Capturing on") {
        assert!(
            peer.is_running() && Instant::now() < deadline,
            "dumpcap did not start: {}",
            peer.describe()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    peer
}

/// Stops dumpcap with SIGINT so it writes out what it buffered.
fn stop_capture(mut peer: common::Peer) {
    // Let the last packets reach the capture before it stops.
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-INT", &peer.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(
        peer.wait_exit_blocking(common::TIMEOUT).is_some(),
        "dumpcap did not stop: {}",
        peer.describe()
    );
}

/// The decrypted application data of every TLS stream in `capture`, as
/// tshark shows it with `keylog` (ASCII follow output of streams 0..4).
fn decrypted(capture: &Path, keylog: &Path) -> String {
    let mut args = vec![
        "-r".to_string(),
        capture.display().to_string(),
        "-o".into(),
        format!("tls.keylog_file:{}", keylog.display()),
        "-q".into(),
    ];
    // The four cases, then the 0-RTT pair (a full handshake and a resumption).
    for i in 0..CASES.len() + 2 {
        args.push("-z".into());
        args.push(format!("follow,tls,ascii,{i}"));
    }
    let out = Command::new("tshark").args(&args).output().unwrap();
    assert!(out.status.success(), "tshark: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tshark_decrypts_tls13_and_tls12_with_client_or_server_key_log() {
    if !common::require("dumpcap tshark") {
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let capture = tmp("capture.pcapng");
    let dumpcap = tokio::task::spawn_blocking({
        let capture = capture.clone();
        move || start_capture(port, &capture)
    })
    .await
    .unwrap();

    let mut logs = Vec::new();
    for case in &CASES {
        let log_path = tmp(&format!("{}.keys", case.name));
        let _ = std::fs::remove_file(&log_path);
        let log: Arc<dyn KeyLog> = Arc::new(KeyLogFile::create(&log_path).unwrap());
        let mut client = support::client_builder().with_protocol_versions(&[case.version]);
        let mut server = support::server_builder("server");
        if case.client_side {
            client = client.with_key_log(log);
        } else {
            server = server.with_key_log(log);
        }
        let connector = TlsConnector::from(Arc::new(client.build().unwrap()));
        let acceptor = TlsAcceptor::from(Arc::new(server.build().unwrap()));
        let request = format!("request-from-client-{}\n", case.name);
        let reply = format!("reply-from-server-{}\n", case.name);
        let serve = async {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut tls = acceptor.accept(tcp).await.unwrap();
            let mut buf = vec![0; request.len()];
            tls.read_exact(&mut buf).await.unwrap();
            assert_eq!(buf, request.as_bytes());
            tls.write_all(reply.as_bytes()).await.unwrap();
            tls.shutdown().await.unwrap();
        };
        let connect = async {
            let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            let mut tls = connector.connect("localhost", tcp).await.unwrap();
            assert_eq!(tls.protocol_version(), Some(case.version));
            tls.write_all(request.as_bytes()).await.unwrap();
            let mut got = Vec::new();
            tls.read_to_end(&mut got).await.unwrap();
            assert_eq!(got, reply.as_bytes());
        };
        support::timeout(async { tokio::join!(serve, connect) }).await;
        logs.push((case, log_path, request, reply));
    }
    let early_log = tmp("early.keys");
    let _ = std::fs::remove_file(&early_log);
    let early = early_data_pair(&listener, &early_log).await;
    tokio::task::spawn_blocking(move || stop_capture(dumpcap))
        .await
        .unwrap();

    // The capture holds no plaintext by itself.
    let none = tmp("empty.keys");
    std::fs::write(&none, "").unwrap();
    let plain = decrypted(&capture, &none);
    for (_, _, request, reply) in &logs {
        assert!(!plain.contains(request.trim()) && !plain.contains(reply.trim()));
    }

    for (case, log_path, request, reply) in &logs {
        let text = std::fs::read_to_string(log_path).unwrap();
        let labels: Vec<&str> = text.lines().filter_map(|l| l.split(' ').next()).collect();
        if case.version == ProtocolVersion::TLSv1_3 {
            assert_eq!(
                labels,
                [
                    "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                    "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                    "CLIENT_TRAFFIC_SECRET_0",
                    "SERVER_TRAFFIC_SECRET_0",
                    "EXPORTER_SECRET"
                ],
                "{}",
                case.name
            );
        } else {
            assert_eq!(labels, ["CLIENT_RANDOM"], "{}", case.name);
        }
        let out = decrypted(&capture, log_path);
        assert!(
            out.contains(request.trim()) && out.contains(reply.trim()),
            "{}: tshark did not decrypt both directions:\n{out}",
            case.name
        );
        // Only this connection: another connection's log opens nothing here.
        for (other, _, oreq, orep) in &logs {
            if other.name != case.name {
                assert!(!out.contains(oreq.trim()) && !out.contains(orep.trim()));
            }
        }
    }
    // 0-RTT: the client's key log alone decrypts the early data too.
    let text = std::fs::read_to_string(&early_log).unwrap();
    assert!(text.contains("CLIENT_EARLY_TRAFFIC_SECRET "), "{text}");
    let out = decrypted(&capture, &early_log);
    assert!(
        out.contains(early.trim()),
        "tshark did not decrypt the 0-RTT data:\n{out}"
    );
    assert!(!plain.contains(early.trim()));
    let _ = std::fs::remove_dir_all(capture.parent().unwrap());
}

/// A full TLS 1.3 handshake (for a ticket) and a resumption with 0-RTT
/// data over `listener`, the key log on the client; the early data sent.
async fn early_data_pair(listener: &TcpListener, log_path: &Path) -> String {
    let log: Arc<dyn KeyLog> = Arc::new(KeyLogFile::create(log_path).unwrap());
    let client = support::client_builder()
        .with_protocol_versions(&[ProtocolVersion::TLSv1_3])
        .with_key_log(log)
        .build()
        .unwrap();
    let connector = TlsConnector::from(Arc::new(client));
    let server = support::server_builder("server")
        .with_max_early_data(4096)
        .build()
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(server));
    let port = listener.local_addr().unwrap().port();
    let early = "early-data-from-client-0rtt\n".to_string();
    for zero_rtt in [false, true] {
        let serve = async {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut tls = acceptor.accept(tcp).await.unwrap();
            if zero_rtt {
                assert_eq!(tls.negotiated().early_data, EarlyDataReason::Accepted);
                let got = tls.take_replayable_early_data().unwrap();
                assert_eq!(got, early.as_bytes());
            }
            tls.write_all(b"ticket-and-bye").await.unwrap();
            tls.shutdown().await.unwrap();
        };
        let connect = async {
            let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            let mut tls = if zero_rtt {
                connector
                    .connect_with_replayable_early_data(
                        "localhost",
                        tcp,
                        early.as_bytes().to_vec(),
                        OnReject::Keep,
                    )
                    .await
                    .unwrap()
            } else {
                connector.connect("localhost", tcp).await.unwrap()
            };
            tls.shutdown().await.unwrap();
            let mut got = Vec::new();
            tls.read_to_end(&mut got).await.unwrap();
            assert_eq!(got, b"ticket-and-bye");
        };
        support::timeout(async { tokio::join!(serve, connect) }).await;
    }
    early
}
