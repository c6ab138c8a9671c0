//! The loopback soak (examples/soak) at small size: 50 connections open at
//! once, a warm-up round and at least one more, every connection kind
//! (TLS 1.3 and 1.2, resumption, mTLS, KeyUpdate, aborts). It passes only
//! if the soak's own verdict does: no byte lost or corrupted, no unexpected
//! error, all 50 open at once, descriptors and memory back where they were.

mod example_bin;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The soak bounds each of its phases itself; this bounds the whole run
/// (a debug build needs about 5 s on a busy two-core machine).
const TIMEOUT: Duration = Duration::from_secs(240);

#[test]
fn soak_50_connections() {
    let mut child = Command::new(example_bin::example("soak"))
        .args(["--connections", "50", "--seconds", "3"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the soak");
    // Read the pipes on their own threads so a full pipe never stalls the soak.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut s);
            }
            s
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the soak did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    assert!(
        status.success(),
        "soak failed ({status}):\n{out}\nstderr:\n{err}"
    );
    assert!(out.contains("verdict: PASS"), "{out}");
    // The concurrency, the mix and the checks really happened.
    assert!(
        out.contains("round 1: 50 established at once (server 50)"),
        "{out}"
    );
    assert!(
        out.contains("server errors, expected: server_truncated_after_abort="),
        "{out}"
    );
    assert!(out.contains("client errors, unexpected: none"), "{out}");
    assert!(out.contains("server errors, unexpected: none"), "{out}");
}
