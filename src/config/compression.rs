//! Certificate compression (RFC 8879): the algorithms are the
//! application's, through [`CertCompressor`]; lctls does the protocol.
//!
//! A TLS 1.3 client configured with compressors offers them in
//! compress_certificate; a TLS 1.3 server configured with them sends its
//! certificate as a CompressedCertificate with the first of its own that the
//! client offered. TLS 1.2 ignores the extension. (Client certificates are
//! sent uncompressed: our CertificateRequest does not ask for compression.)

use std::sync::Arc;

use crate::config::Shared;
use crate::error::Error;
use crate::proto::wire::certificate::{CertificateBody, CertificateMsg, CompressedCertificate};
use crate::proto::wire::enums::AlertDescription;
use crate::proto::wire::reader::Reader;

/// One certificate compression algorithm (RFC 8879 section 7.3 lists zlib
/// as 1, brotli as 2, zstd as 3).
///
/// ```
/// use lctls::config::CertCompressor;
///
/// /// Not a real compression: prefixes a marker (for tests).
/// #[derive(Debug)]
/// struct Marked;
///
/// impl CertCompressor for Marked {
///     fn algorithm(&self) -> u16 {
///         0xff02
///     }
///     fn compress(&self, certificate: &[u8]) -> Option<Vec<u8>> {
///         Some([&[1, 2, 3, 4][..], certificate].concat())
///     }
///     fn decompress(&self, compressed: &[u8], len: usize) -> Option<Vec<u8>> {
///         compressed.strip_prefix(&[1, 2, 3, 4]).map(|c| c.to_vec())
///     }
/// }
/// # fn main() -> Result<(), lctls::Error> {
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
/// let config = lctls::config::ServerConfig::builder()
///     .with_certified_key(lctls::config::CertifiedKey::from_pem_files(
///         format!("{dir}/server.pem"),
///         format!("{dir}/server.key"),
///     )?)
///     .with_cert_compression(&[std::sync::Arc::new(Marked)])
///     .build()?;
/// # let _ = config; Ok(()) }
/// ```
pub trait CertCompressor: Send + Sync + std::fmt::Debug {
    /// The algorithm's code point.
    fn algorithm(&self) -> u16;

    /// Compresses an encoded Certificate message body; None sends it
    /// uncompressed.
    fn compress(&self, certificate: &[u8]) -> Option<Vec<u8>>;

    /// Decompresses a peer's `compressed` certificate, which it says is
    /// `len` bytes long once decompressed (at most the configured maximum
    /// handshake message size; lctls checks that before calling, and checks
    /// the output's length after). None when the input is invalid.
    fn decompress(&self, compressed: &[u8], len: usize) -> Option<Vec<u8>>;
}

/// Refuses a compressor list naming an algorithm twice.
pub(crate) fn check_compressors(list: &[Arc<dyn CertCompressor>]) -> Result<(), Error> {
    for (i, c) in list.iter().enumerate() {
        if list[..i].iter().any(|o| o.algorithm() == c.algorithm()) {
            return Err(Error::Config(format!(
                "certificate compression algorithm {} configured twice",
                c.algorithm()
            )));
        }
    }
    Ok(())
}

/// The algorithms a client offers (None: no compress_certificate).
pub(crate) fn offered_compression(shared: &Shared) -> Option<Vec<u16>> {
    let algs: Vec<u16> = shared
        .cert_compressors
        .iter()
        .map(|c| c.algorithm())
        .collect();
    (!algs.is_empty()).then_some(algs)
}

/// Server side: the Certificate as a CompressedCertificate with the first
/// of our algorithms the client offered, or None to send it as it is.
pub(crate) fn compress_certificate(
    shared: &Shared,
    client_offered: Option<&[u16]>,
    certificate: &CertificateBody<'_>,
) -> Result<Option<CompressedCertificate>, Error> {
    let Some(theirs) = client_offered else {
        return Ok(None);
    };
    let Some(c) = shared
        .cert_compressors
        .iter()
        .find(|c| theirs.contains(&c.algorithm()))
    else {
        return Ok(None);
    };
    let mut body = Vec::new();
    certificate.encode(&mut body)?;
    Ok(c.compress(&body)
        .filter(|z| !z.is_empty() && z.len() < 1 << 24)
        .map(|compressed| CompressedCertificate {
            algorithm: c.algorithm(),
            uncompressed_len: body.len(),
            compressed,
        }))
}

/// Client side: the Certificate a server's CompressedCertificate carries.
/// RFC 8879 section 4: an algorithm we did not offer is illegal_parameter;
/// a message that does not decompress, bad_certificate. The announced
/// length is bounded by our maximum handshake message before anything is
/// allocated for it.
/// The decompressed Certificate message, and its encoding with the 4-byte
/// handshake header (where its entry extensions are read from, see
/// [`CertificateMsg::check_and_decode_extensions`]).
pub(crate) fn decompress_certificate(
    shared: &Shared,
    m: &CompressedCertificate,
) -> Result<(CertificateMsg, Vec<u8>), Error> {
    let Some(c) = shared
        .cert_compressors
        .iter()
        .find(|c| c.algorithm() == m.algorithm)
    else {
        return Err(Error::illegal(format!(
            "certificate compressed with algorithm {}, which we did not offer",
            m.algorithm
        )));
    };
    if m.uncompressed_len > shared.max_handshake_message {
        return Err(Error::protocol(
            AlertDescription::BadCertificate,
            format!(
                "compressed certificate would be {} bytes, more than the {} we accept",
                m.uncompressed_len, shared.max_handshake_message
            ),
        ));
    }
    let body = c
        .decompress(&m.compressed, m.uncompressed_len)
        .filter(|b| b.len() == m.uncompressed_len)
        .ok_or_else(|| {
            Error::protocol(
                AlertDescription::BadCertificate,
                format!(
                    "compressed certificate did not decompress to the {} bytes announced",
                    m.uncompressed_len
                ),
            )
        })?;
    let cert = CertificateMsg::decode(&mut Reader::new(&body))?;
    // The length fits in 24 bits: it is at most max_handshake_message.
    let len = (body.len() as u32).to_be_bytes();
    let mut msg = Vec::with_capacity(4 + body.len());
    msg.push(crate::proto::wire::enums::HandshakeType::Certificate.get());
    msg.extend_from_slice(&len[1..]);
    msg.extend_from_slice(&body);
    Ok((cert, msg))
}
