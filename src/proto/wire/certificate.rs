//! Certificate, CertificateRequest and CertificateVerify (RFC 8446 section 4.4).

use rustls_pki_types::CertificateDer;

use crate::error::Error;
use crate::proto::wire::enums::{ExtensionType, SignatureScheme};
use crate::proto::wire::extensions::for_each_extension;
use crate::proto::wire::reader::{put_len_prefixed, put_vec, LenPrefix, Put, Reader};

/// A TLS 1.3 Certificate message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateMsg {
    /// certificate_request_context.
    pub context: Vec<u8>,
    /// The chain, end entity first. Per-entry extensions are not kept.
    pub chain: Vec<CertificateDer<'static>>,
}

impl CertificateMsg {
    /// Decodes the body.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        let context = r.vec8()?.to_vec();
        let mut list = r.sub24()?;
        let mut chain = Vec::new();
        while !list.is_empty() {
            let der = list.vec24()?;
            if der.is_empty() {
                return Err(Error::decode("empty certificate entry"));
            }
            // Entry extensions (status_request, SCT) are skipped; we never solicit them.
            list.vec16()?;
            chain.push(CertificateDer::from(der.to_vec()));
        }
        r.finish()?;
        Ok(CertificateMsg { context, chain })
    }

    /// Encodes the body.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_vec(out, LenPrefix::U8, &self.context)?;
        put_len_prefixed(out, LenPrefix::U24, |o| {
            for c in &self.chain {
                put_vec(o, LenPrefix::U24, c.as_ref())?;
                o.put_u16v(0);
            }
            Ok(())
        })
    }
}

/// Most bytes of certificate_authorities hints we send (each name counts
/// with its 2-byte length). In TLS 1.3 the hints share a 16-bit length with
/// the rest of the CertificateRequest's extensions, in TLS 1.2 they have one
/// of their own; hints are only advice to the client, so a list that would
/// not fit is cut short rather than failing every mutual-TLS handshake.
pub const MAX_CA_HINTS_LEN: usize = 60 * 1024;

/// The first of `subjects` that fit in [`MAX_CA_HINTS_LEN`], in order.
pub fn cap_ca_hints(mut subjects: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut total = 0;
    let keep = subjects
        .iter()
        .take_while(|dn| {
            total += 2 + dn.len();
            total <= MAX_CA_HINTS_LEN
        })
        .count();
    if keep < subjects.len() {
        tracing::warn!(
            sent = keep,
            of = subjects.len(),
            "certificate_authorities hints cut to fit the CertificateRequest"
        );
        subjects.truncate(keep);
    }
    subjects
}

/// A TLS 1.3 CertificateRequest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertificateRequest {
    /// certificate_request_context.
    pub context: Vec<u8>,
    /// signature_algorithms (mandatory).
    pub signature_algorithms: Vec<SignatureScheme>,
    /// certificate_authorities: DER distinguished names.
    pub authorities: Vec<Vec<u8>>,
}

impl CertificateRequest {
    /// Decodes the body.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        let context = r.vec8()?.to_vec();
        let mut sigs = None;
        let mut authorities = Vec::new();
        for_each_extension(r, |typ, mut b| {
            match typ {
                ExtensionType::SignatureAlgorithms => {
                    sigs = Some(
                        b.u16_list(true)?
                            .into_iter()
                            .map(SignatureScheme::from)
                            .collect::<Vec<_>>(),
                    );
                }
                ExtensionType::CertificateAuthorities => {
                    let mut l = b.sub16()?;
                    while !l.is_empty() {
                        let dn = l.vec16()?;
                        if dn.is_empty() {
                            return Err(Error::decode("empty distinguished name"));
                        }
                        authorities.push(dn.to_vec());
                    }
                }
                _ => {}
            }
            Ok(())
        })?;
        r.finish()?;
        let signature_algorithms = sigs.ok_or_else(|| {
            Error::protocol(
                crate::proto::wire::enums::AlertDescription::MissingExtension,
                "CertificateRequest without signature_algorithms",
            )
        })?;
        Ok(CertificateRequest {
            context,
            signature_algorithms,
            authorities,
        })
    }

    /// Encodes the body.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_vec(out, LenPrefix::U8, &self.context)?;
        put_len_prefixed(out, LenPrefix::U16, |o| {
            o.put_u16v(ExtensionType::SignatureAlgorithms.get());
            put_len_prefixed(o, LenPrefix::U16, |o| {
                put_len_prefixed(o, LenPrefix::U16, |o| {
                    for s in &self.signature_algorithms {
                        o.put_u16v(s.get());
                    }
                    Ok(())
                })
            })?;
            if !self.authorities.is_empty() {
                o.put_u16v(ExtensionType::CertificateAuthorities.get());
                put_len_prefixed(o, LenPrefix::U16, |o| {
                    put_len_prefixed(o, LenPrefix::U16, |o| {
                        for dn in &self.authorities {
                            put_vec(o, LenPrefix::U16, dn)?;
                        }
                        Ok(())
                    })
                })?;
            }
            Ok(())
        })
    }
}

/// CertificateVerify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateVerify {
    /// The scheme used.
    pub scheme: SignatureScheme,
    /// The signature.
    pub signature: Vec<u8>,
}

impl CertificateVerify {
    /// Decodes the body.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        let scheme = SignatureScheme::from(r.u16()?);
        let signature = r.vec16()?.to_vec();
        r.finish()?;
        Ok(CertificateVerify { scheme, signature })
    }

    /// Encodes the body.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        out.put_u16v(self.scheme.get());
        put_vec(out, LenPrefix::U16, &self.signature)
    }
}
