//! What the command-line examples (client, server, hyper_client,
//! axum_server) share: the usage/exit convention, logging to stderr, the
//! key log, the flags that choose versions, suites and groups, and the lines
//! that report what a connection negotiated. Included with `#[path]`, so
//! each example uses only some of it.
#![allow(dead_code, unused_macros)]

use std::fmt::Debug;
use std::io;
use std::process::ExitCode;
use std::sync::Arc;

use lctls::config::{KeyLog, KeyLogFile};

/// The arguments `parse_args` returned, or the exit code to end with:
/// success after printing `usage` for `--help` (`Ok(None)`), 2 after a
/// usage error.
pub fn args_or_exit<T>(parsed: Result<Option<T>, String>, usage: &str) -> Result<T, ExitCode> {
    match parsed {
        Ok(Some(args)) => Ok(args),
        Ok(None) => {
            print!("{usage}");
            Err(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}\n\n{usage}");
            Err(ExitCode::from(2))
        }
    }
}

/// Logs to stderr: warnings, then debug with one `-v`, trace with more.
pub fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => tracing::Level::WARN,
        1 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(io::stderr)
        .with_ansi(io::IsTerminal::is_terminal(&io::stderr()))
        .init();
}

/// The NSS key log to write: `--keylog FILE` if given, else `SSLKEYLOGFILE`
/// if set, else none.
pub fn key_log(path: Option<&str>) -> io::Result<Option<Arc<dyn KeyLog>>> {
    Ok(match path {
        Some(path) => Some(Arc::new(KeyLogFile::create(path)?)),
        None => KeyLogFile::from_env(),
    })
}

/// Applies the key log and the `--versions`, `--suites` and `--groups`
/// choices (each an `Option` in `$args`) to `$builder`, a client or a server
/// config builder (they have these methods in no common trait).
macro_rules! with_shared_choices {
    ($builder:ident, $args:expr) => {
        if let Some(log) = cli::key_log($args.keylog.as_deref())? {
            $builder = $builder.with_key_log(log);
        }
        if let Some(versions) = &$args.versions {
            $builder = $builder.with_protocol_versions(versions);
        }
        if let Some(suites) = &$args.suites {
            $builder = $builder.with_cipher_suites(suites);
        }
        if let Some(groups) = &$args.groups {
            $builder = $builder.with_groups(groups);
        }
    };
}

/// The `version:`, `suite:`, `group:` and `alpn:` lines the client examples
/// print (tests read them), `-` for what was not negotiated.
pub fn negotiated_lines(
    version: Option<impl Debug>,
    suite: Option<impl Debug>,
    group: Option<impl Debug>,
    alpn: Option<&[u8]>,
) -> [String; 4] {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    [
        format!("version:  {}", opt(version.map(|v| format!("{v:?}")))),
        format!("suite:    {}", opt(suite.map(|v| format!("{v:?}")))),
        format!("group:    {}", opt(group.map(|v| format!("{v:?}")))),
        format!(
            "alpn:     {}",
            opt(alpn.map(|p| String::from_utf8_lossy(p).into_owned()))
        ),
    ]
}
