//! Finds the example programs' binaries for tests that run them as
//! processes, building them once per test binary.
//!
//! The binaries are target/<profile>/examples/<name>. `cargo test` builds
//! them, but `cargo test --all-targets` builds only the examples' test
//! harnesses and would leave stale binaries there, so the first test to need
//! one runs `cargo build --examples` (a no-op when they are fresh).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Building the examples from scratch can take a while on a slow machine.
const BUILD_TIMEOUT: Duration = Duration::from_secs(600);

/// target/<profile>, where this test binary's deps/ directory is.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent()
        .and_then(|deps| deps.parent())
        .expect("test binary is in target/<profile>/deps")
        .to_path_buf()
}

/// The path of example `name`, built and fresh.
pub fn example(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(build_examples);
    let path = profile_dir()
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "example binary {} not found", path.display());
    path
}

/// `cargo build --examples`, without the variables cargo sets for this test
/// run: passed on, they would look like a changed environment to build
/// scripts that watch them (ring watches CARGO_MANIFEST_DIR) and force a
/// rebuild of half the dependency tree.
fn build_examples() {
    let profile = profile_dir();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--examples", "--quiet"]);
    // The features this test was built with, so the build is the one cargo
    // test made and nothing is rebuilt for another feature set.
    let features: Vec<&str> = [
        ("redis", cfg!(feature = "redis")),
        ("hyper", cfg!(feature = "hyper")),
        ("axum", cfg!(feature = "axum")),
        ("webpki-roots", cfg!(feature = "webpki-roots")),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect();
    if !features.is_empty() {
        cmd.args(["--features", &features.join(",")]);
    }
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        if key.starts_with("CARGO_PKG_")
            || matches!(
                key,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_TARGET_TMPDIR"
                    | "CARGO_RUSTC_CURRENT_DIR"
                    | "OUT_DIR"
            )
        {
            cmd.env_remove(key);
        }
    }
    if let Some(target_dir) = profile.parent() {
        cmd.arg("--target-dir").arg(target_dir);
    }
    if profile.file_name().is_some_and(|p| p == "release") {
        cmd.arg("--release");
    }
    let Ok(mut child) = cmd.spawn() else {
        eprintln!("warning: cannot run cargo build --examples; using the binaries as they are");
        return;
    };
    // Drain stderr on its own thread so a chatty build never blocks on a full pipe.
    let stderr = child.stderr.take().map(|mut e| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut e, &mut s);
            s
        })
    });
    let deadline = Instant::now() + BUILD_TIMEOUT;
    loop {
        match child.try_wait().expect("try_wait") {
            Some(status) => {
                if !status.success() {
                    let err = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
                    eprintln!("warning: cargo build --examples failed; using the binaries as they are:\n{err}");
                }
                return;
            }
            None if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("cargo build --examples timed out");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}
