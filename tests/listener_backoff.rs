//! `TlsListener` under accept errors: with the process out of file
//! descriptors (EMFILE) and a connection waiting in the backlog, accept
//! fails every time it is tried. The listener must pause between tries
//! (10 ms doubling to 1 s) instead of spinning, and accept again once
//! descriptors are free.
//!
//! Alone in its test binary: it lowers this process's RLIMIT_NOFILE (with
//! util-linux's `prlimit`, no unsafe code), which would break tests running
//! beside it.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lctls::{TlsAcceptor, TlsConnector, TlsListener};
use support::{client_config, server_config};
use tracing_subscriber::layer::SubscriberExt;

/// Counts the listener's error events (accept failures; failed handshakes
/// are debug events).
struct CountErrors(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CountErrors {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let m = event.metadata();
        if m.target() == "lctls::listener" && *m.level() == tracing::Level::ERROR {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The lowest descriptor number not open in this process.
fn lowest_free_fd() -> u64 {
    let open: std::collections::HashSet<u64> = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    (0..).find(|n| !open.contains(n)).unwrap()
}

/// This process's soft RLIMIT_NOFILE, from /proc/self/limits.
fn soft_nofile() -> String {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    line.split_whitespace().nth(3).unwrap().to_string()
}

fn set_soft_nofile(value: &str) {
    let status = Command::new("prlimit")
        .arg("--pid")
        .arg(std::process::id().to_string())
        .arg(format!("--nofile={value}:"))
        .stdin(Stdio::inherit())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .status()
        .expect("running prlimit");
    assert!(status.success(), "prlimit --nofile={value}: {status}");
}

#[test]
fn accept_errors_back_off_instead_of_spinning() {
    let errors = Arc::new(AtomicUsize::new(0));
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry().with(CountErrors(errors.clone())),
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut listener =
            TlsListener::bind("127.0.0.1:0", TlsAcceptor::from(server_config("server")))
                .await
                .unwrap();
        let port = listener.local_addr().unwrap().port();

        // A connection from another process (it costs us no descriptor),
        // waiting in the backlog once the child says "up".
        let mut child = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "exec 3<>/dev/tcp/127.0.0.1/{port}; echo up; sleep 20"
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn bash");
        let mut up = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut up)
            .unwrap();
        assert_eq!(up, "up\n");

        // Spare descriptors, closed before prlimit runs again.
        let spare: Vec<std::fs::File> = (0..8)
            .map(|_| std::fs::File::open("/dev/null").unwrap())
            .collect();
        let original = soft_nofile();
        let limit = lowest_free_fd();
        set_soft_nofile(&limit.to_string());
        assert_eq!(soft_nofile(), limit.to_string());

        // 700 ms of EMFILE: pauses of 10+20+40+80+160+320 ms fit, so about
        // 7 tries; a spinning loop makes thousands.
        let window = Duration::from_millis(700);
        let got = tokio::time::timeout(window, listener.accept()).await;
        assert!(got.is_err(), "accepted a connection without descriptors");
        let failures = errors.load(Ordering::Relaxed);

        drop(spare);
        set_soft_nofile(&original);
        assert!(
            (3..=12).contains(&failures),
            "{failures} accept failures in {window:?}: expected about 7 with backoff"
        );
        eprintln!("{failures} accept failures logged in {window:?} of EMFILE");

        // Descriptors are back: the backlog's connection is taken (its
        // handshake waits in the listener), and a real client is served
        // within the current pause (at most 640 ms by now).
        let start = Instant::now();
        let client = async {
            let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap();
            TlsConnector::from(client_config())
                .connect("localhost", tcp)
                .await
                .unwrap()
        };
        let (tls, (server_side, peer)) = tokio::time::timeout(Duration::from_secs(5), async {
            tokio::join!(client, listener.accept())
        })
        .await
        .expect("the listener did not recover after EMFILE");
        assert_eq!(server_side.peer_certificates().len(), 0);
        assert_eq!(peer.port(), tls.get_ref().local_addr().unwrap().port());
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        let _ = child.kill();
        let _ = child.wait();
    });
}
