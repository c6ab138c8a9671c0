//! Client and server configuration, built once and shared by many connections.

mod client;
mod resolver;
mod server;

pub use client::{ClientConfig, ClientConfigBuilder, DangerousClientConfigBuilder};
pub use resolver::{
    CertifiedKey, ClientHelloInfo, ResolvesClientCert, ResolvesServerCert, SniResolver,
};
pub use server::{ServerConfig, ServerConfigBuilder};

use crate::error::Error;
use crate::proto::crypto::kx::{KeyExchange, SUPPORTED_GROUPS};
use crate::proto::crypto::suites::{tls13_suite, Tls13CipherSuite, ALL_TLS13_SUITES};
use crate::proto::wire::enums::{CipherSuite, NamedGroup};
use rustls_pki_types::UnixTime;

/// The source of the current time for certificate validity checks.
/// Injectable so tests can verify at a fixed instant.
pub trait TimeProvider: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> UnixTime;
}

/// The system clock.
#[derive(Debug, Default)]
pub struct SystemTime;

impl TimeProvider for SystemTime {
    fn now(&self) -> UnixTime {
        UnixTime::now()
    }
}

/// A fixed instant, for tests.
#[derive(Debug)]
pub struct FixedTime(pub UnixTime);

impl TimeProvider for FixedTime {
    fn now(&self) -> UnixTime {
        self.0
    }
}

/// Resolves a list of suite code points to implementations, refusing unknown ones.
fn resolve_suites(ids: &[CipherSuite]) -> Result<Vec<&'static Tls13CipherSuite>, Error> {
    if ids.is_empty() {
        return Err(Error::Config("no cipher suites configured".into()));
    }
    ids.iter()
        .map(|&id| {
            tls13_suite(id).ok_or_else(|| {
                Error::Config(format!(
                    "cipher suite {id:?} is not supported (TLS 1.3 only)"
                ))
            })
        })
        .collect()
}

fn resolve_groups(groups: &[NamedGroup]) -> Result<Vec<NamedGroup>, Error> {
    if groups.is_empty() {
        return Err(Error::Config("no key-exchange groups configured".into()));
    }
    for &g in groups {
        if !KeyExchange::supports(g) {
            return Err(Error::Config(format!("group {g:?} is not supported")));
        }
    }
    Ok(groups.to_vec())
}

fn default_suites() -> Vec<&'static Tls13CipherSuite> {
    ALL_TLS13_SUITES.to_vec()
}

fn default_groups() -> Vec<NamedGroup> {
    SUPPORTED_GROUPS.to_vec()
}

fn check_alpn(protocols: &[Vec<u8>]) -> Result<(), Error> {
    for p in protocols {
        if p.is_empty() || p.len() > 255 {
            return Err(Error::Config(
                "ALPN protocol names must be 1 to 255 bytes".into(),
            ));
        }
    }
    Ok(())
}
