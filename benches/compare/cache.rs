//! Handshakes with the verified-chain cache (`with_verification_cache`) on
//! every lctls verifier in the handshake, beside rustls (which has no such
//! cache: different work, so separate figures), and beside lctls without
//! the cache in the same rounds so the gain is visible:
//!
//! * `handshake_ecdsa_p256_cached` / `_uncached`: full TLS 1.3, the client
//!   verifying the server's chain (cached: the client's verifier);
//! * `handshake_mtls_ecdsa_p256_cached` / `_uncached`: TLS 1.3 with a
//!   required client certificate (cached: both verifiers).
//!
//! The `_cached` limit drops the chain's two certificate-signature
//! verifications per authenticating key from the handshake limit (what a
//! hit skips); `_uncached` has the usual handshake limit. The rustls column
//! is the same rustls samples in both rows.

use super::handshakes::{
    check, handshakes, primitive_cost_with, spec_configs_with, HsFigure, Spec,
};
use super::*;

use lctls::pki::{DefaultClientVerifier, DefaultServerVerifier};

/// Entries per verifier: far more than the one chain each side sees.
const CAPACITY: usize = 1024;

struct Cached {
    name: &'static str,
    uncached_name: &'static str,
    mtls: bool,
    limit_keys: &'static [&'static str],
}

pub(super) async fn rows(p: &Params, rows: &mut Vec<Row>) {
    let figures = [
        Cached {
            name: "handshake_ecdsa_p256_cached",
            uncached_name: "handshake_ecdsa_p256_uncached",
            mtls: false,
            limit_keys: &["server.key"],
        },
        Cached {
            name: "handshake_mtls_ecdsa_p256_cached",
            uncached_name: "handshake_mtls_ecdsa_p256_uncached",
            mtls: true,
            limit_keys: &["server.key", "client.key"],
        },
    ];
    for f in figures
        .iter()
        .filter(|f| wanted(&[f.name, f.uncached_name]))
    {
        figure(p, f, rows).await;
    }
}

/// One figure: primed, checked, warmed up, then lctls cached, lctls
/// uncached and rustls timed in each round, in an order that rotates.
async fn figure(p: &Params, f: &Cached, rows: &mut Vec<Row>) {
    let spec = Spec {
        tls12: false,
        mtls: f.mtls,
        resume: false,
    };
    // Clones share their cache: these are read for the hit counts.
    let server_verifier =
        DefaultServerVerifier::new(lctls_roots()).with_verification_cache(CAPACITY);
    let client_verifier =
        Arc::new(DefaultClientVerifier::new(lctls_roots()).with_verification_cache(CAPACITY));
    let figure = |name, c| HsFigure {
        name,
        c,
        version: 0x0304,
        client_chain: if f.mtls { 2 } else { 0 },
        resumes: false,
        limit_keys: Some(f.limit_keys),
        kx: Kx::X25519,
    };
    let cached = figure(
        f.name,
        spec_configs_with(spec, server_verifier.clone(), client_verifier.clone()),
    );
    let uncached = figure(
        f.uncached_name,
        spec_configs_with(
            spec,
            DefaultServerVerifier::new(lctls_roots()),
            Arc::new(DefaultClientVerifier::new(lctls_roots())),
        ),
    );
    for fig in [&cached, &uncached] {
        handshakes(Lib::Lctls, &fig.c, 1, None).await;
        handshakes(Lib::Rustls, &fig.c, 1, None).await;
        check(fig).await;
        handshakes(Lib::Lctls, &fig.c, 3, Some(false)).await;
        handshakes(Lib::Rustls, &fig.c, 3, Some(false)).await;
    }

    let (mut on, mut off) = (Samples::default(), Samples::default());
    for r in 0..p.rounds {
        on.limit
            .push(1.0 / primitive_cost_with(f.limit_keys, p.handshakes, 0));
        off.limit
            .push(1.0 / primitive_cost_with(f.limit_keys, p.handshakes, 2));
        for lib in order(r) {
            match lib {
                Lib::Rustls => {
                    let v = handshakes(lib, &cached.c, p.handshakes, Some(false)).await;
                    on.push(lib, v);
                    off.push(lib, v);
                }
                Lib::Lctls => {
                    let mut both = [(&cached, &mut on), (&uncached, &mut off)];
                    if r % 4 >= 2 {
                        both.reverse();
                    }
                    for (fig, samples) in both {
                        let v = handshakes(lib, &fig.c, p.handshakes, Some(false)).await;
                        samples.push(lib, v);
                    }
                }
            }
        }
    }

    // Every lctls handshake of the cached configuration after the first
    // was answered from the cache, on each side that verifies a chain.
    let timed = (on.lctls.len() * p.handshakes) as u64;
    let mut sides = vec![("client", server_verifier.verification_cache_stats())];
    if f.mtls {
        sides.push(("server", client_verifier.verification_cache_stats()));
    }
    for (side, stats) in sides {
        let s = stats.expect("cache on");
        assert_eq!(s.misses, 1, "{}: {side} verifier misses", f.name);
        assert!(
            s.hits >= timed,
            "{}: {side} verifier hits {}",
            f.name,
            s.hits
        );
    }
    let (on, off) = (
        on.row(f.name.into(), "hs/s"),
        off.row(f.uncached_name.into(), "hs/s"),
    );
    if let (Some(a), Some(b)) = (on.lctls, off.lctls) {
        println!("{}: cached/uncached = {:.3}", f.name, a / b);
    }
    rows.push(on);
    rows.push(off);
}
