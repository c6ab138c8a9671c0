//! `-install-cert-compression-algs` and `-install-one-cert-compression-alg`:
//! BoringSSL's shim's three test algorithms (test_config.cc), in its order.

use std::sync::Arc;

use lctls::config::CertCompressor;

/// 0xff02: prefixes 1, 2, 3, 4.
#[derive(Debug)]
struct Expanding;

/// 0xff01: drops the two leading zero bytes a Certificate body starts with.
#[derive(Debug)]
struct Shrinking;

/// 0xff03: prefixes one random byte.
#[derive(Debug)]
struct Random;

impl CertCompressor for Expanding {
    fn algorithm(&self) -> u16 {
        0xff02
    }
    fn compress(&self, certificate: &[u8]) -> Option<Vec<u8>> {
        Some([&[1, 2, 3, 4][..], certificate].concat())
    }
    fn decompress(&self, compressed: &[u8], len: usize) -> Option<Vec<u8>> {
        compressed
            .strip_prefix(&[1, 2, 3, 4][..])
            .filter(|c| c.len() == len)
            .map(<[u8]>::to_vec)
    }
}

impl CertCompressor for Shrinking {
    fn algorithm(&self) -> u16 {
        0xff01
    }
    fn compress(&self, certificate: &[u8]) -> Option<Vec<u8>> {
        certificate.strip_prefix(&[0, 0][..]).map(<[u8]>::to_vec)
    }
    fn decompress(&self, compressed: &[u8], len: usize) -> Option<Vec<u8>> {
        (len == compressed.len() + 2).then(|| [&[0, 0][..], compressed].concat())
    }
}

impl CertCompressor for Random {
    fn algorithm(&self) -> u16 {
        0xff03
    }
    fn compress(&self, certificate: &[u8]) -> Option<Vec<u8>> {
        let mut byte = [0u8; 1];
        aws_lc_rs::rand::fill(&mut byte).ok()?;
        Some([&byte[..], certificate].concat())
    }
    fn decompress(&self, compressed: &[u8], len: usize) -> Option<Vec<u8>> {
        (compressed.len() == len + 1).then(|| compressed[1..].to_vec())
    }
}

/// The algorithms the flags install: all three, or only `one`.
pub fn compressors(all: bool, one: Option<u16>) -> Vec<Arc<dyn CertCompressor>> {
    let every: [Arc<dyn CertCompressor>; 3] =
        [Arc::new(Expanding), Arc::new(Shrinking), Arc::new(Random)];
    every
        .into_iter()
        .filter(|c| all || one == Some(c.algorithm()))
        .collect()
}
