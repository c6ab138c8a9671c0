//! Certificate, CertificateRequest and CertificateVerify (RFC 8446 section
//! 4.4), and CompressedCertificate (RFC 8879).

use rustls_pki_types::CertificateDer;

use crate::error::Error;
use crate::proto::wire::enums::{AlertDescription, ExtensionType, SignatureScheme};
use crate::proto::wire::extensions::{for_each_extension, Handled};
use crate::proto::wire::reader::{put_len_prefixed, put_vec, LenPrefix, Put, Reader};

/// A TLS 1.3 Certificate message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateMsg {
    /// certificate_request_context.
    pub context: Vec<u8>,
    /// The chain, end entity first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The types of the per-entry extensions (status_request,
    /// signed_certificate_timestamp, ...) found in any entry, each once.
    /// Their bodies are not kept: [`CertificateMsg::check_and_decode_extensions`]
    /// reads the end entity's status_request and signed_certificate_timestamp
    /// once they are known to be solicited.
    pub entry_extensions: Vec<ExtensionType>,
    /// The DER OCSP response in the end entity's status_request (RFC 8446
    /// section 4.4.2.1). Encoding writes it there and every other entry
    /// without extensions; decoding leaves it None (see above).
    pub ocsp_response: Option<Vec<u8>>,
    /// The end entity's signed_certificate_timestamp list (body, length
    /// prefix included), written there when encoding; as `ocsp_response`.
    pub sct_list: Option<Vec<u8>>,
}

impl CertificateMsg {
    /// A message carrying `chain` without entry extensions.
    pub fn new(context: Vec<u8>, chain: Vec<CertificateDer<'static>>) -> Self {
        CertificateMsg {
            context,
            chain,
            entry_extensions: Vec::new(),
            ocsp_response: None,
            sct_list: None,
        }
    }

    /// Decodes the body.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        let context = r.vec8()?.to_vec();
        let mut list = r.sub24()?;
        let mut chain = Vec::new();
        let mut entry_extensions = Vec::new();
        while !list.is_empty() {
            let der = list.vec24()?;
            if der.is_empty() {
                return Err(Error::decode("empty certificate entry"));
            }
            // Framed and checked for duplicates like any extensions block;
            // whether each was solicited is decided by the state machine,
            // which knows what it asked for.
            for_each_extension(&mut list, |typ, _| {
                if !entry_extensions.contains(&typ) {
                    entry_extensions.push(typ);
                }
                Ok(Handled::Ignored)
            })?;
            chain.push(CertificateDer::from(der.to_vec()));
        }
        r.finish()?;
        Ok(CertificateMsg {
            context,
            chain,
            entry_extensions,
            ocsp_response: None,
            sct_list: None,
        })
    }

    /// Refuses entry extensions outside `requested`, the ones we offered in
    /// our ClientHello or CertificateRequest: RFC 8446 section 4.4.2 allows
    /// only those, and section 4.2 names unsupported_extension for the rest.
    pub fn check_extensions(&self, requested: &[ExtensionType]) -> Result<(), Error> {
        match self
            .entry_extensions
            .iter()
            .find(|t| !requested.contains(t))
        {
            None => Ok(()),
            Some(t) => Err(Error::protocol(
                AlertDescription::UnsupportedExtension,
                format!(
                    "peer sent certificate entry extension {} ({t:?}), which we did not request",
                    t.get()
                ),
            )),
        }
    }

    /// [`CertificateMsg::check_extensions`], then reads from `msg` (this
    /// message as received, header included) the end entity's
    /// status_request (a CertificateStatus, RFC 8446 section 4.4.2.1) into
    /// `ocsp_response` and its signed_certificate_timestamp list into
    /// `sct_list`; a malformed body is decode_error. In that order, so an
    /// unsolicited extension is unsupported_extension whatever its body.
    pub fn check_and_decode_extensions(
        &mut self,
        requested: &[ExtensionType],
        msg: &[u8],
    ) -> Result<(), Error> {
        self.check_extensions(requested)?;
        let mut r = Reader::new(msg.get(4..).unwrap_or_default());
        r.vec8()?;
        let mut list = r.sub24()?;
        if list.is_empty() {
            return Ok(());
        }
        list.vec24()?;
        let (mut ocsp, mut sct) = (None, None);
        for_each_extension(&mut list, |typ, b| {
            match typ {
                ExtensionType::StatusRequest => {
                    ocsp = Some(super::status::decode_certificate_status(b)?);
                }
                ExtensionType::SignedCertificateTimestamp => {
                    let body = b.take(b.left())?;
                    super::status::check_sct_list(body)?;
                    sct = Some(body.to_vec());
                }
                _ => return Ok(Handled::Ignored),
            }
            Ok(Handled::Decoded)
        })?;
        self.ocsp_response = ocsp;
        self.sct_list = sct;
        Ok(())
    }

    /// Encodes the body.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        self.body().encode(out)
    }

    /// The parts of the body that encoding writes, borrowed.
    pub fn body(&self) -> CertificateBody<'_> {
        CertificateBody {
            context: &self.context,
            chain: &self.chain,
            ocsp_response: self.ocsp_response.as_deref(),
            sct_list: self.sct_list.as_deref(),
        }
    }
}

/// A Certificate body to encode, borrowed from wherever its parts live (a
/// configured chain): sending one needs no copy of the chain.
#[derive(Clone, Copy, Debug)]
pub struct CertificateBody<'a> {
    /// certificate_request_context.
    pub context: &'a [u8],
    /// The chain, end entity first.
    pub chain: &'a [CertificateDer<'static>],
    /// The DER OCSP response for the end entity's status_request, if any.
    pub ocsp_response: Option<&'a [u8]>,
    /// The end entity's signed_certificate_timestamp list, if any.
    pub sct_list: Option<&'a [u8]>,
}

impl CertificateBody<'_> {
    /// Encodes the body: every entry but the end entity without extensions.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_vec(out, LenPrefix::U8, self.context)?;
        put_len_prefixed(out, LenPrefix::U24, |o| {
            for (i, c) in self.chain.iter().enumerate() {
                put_vec(o, LenPrefix::U24, c.as_ref())?;
                put_len_prefixed(o, LenPrefix::U16, |o| {
                    if i > 0 {
                        return Ok(());
                    }
                    if let Some(r) = self.ocsp_response {
                        o.put_u16v(ExtensionType::StatusRequest.get());
                        put_len_prefixed(o, LenPrefix::U16, |o| {
                            super::status::put_certificate_status(o, r)
                        })?;
                    }
                    if let Some(l) = self.sct_list {
                        o.put_u16v(ExtensionType::SignedCertificateTimestamp.get());
                        put_vec(o, LenPrefix::U16, l)?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })
    }

    /// Encodes the whole Certificate message, handshake header included.
    pub fn encode_message(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        super::handshake::encode_message(out, super::enums::HandshakeType::Certificate, |o| {
            self.encode(o)
        })
    }

    /// Roughly how long the encoding is, to size its buffer once.
    pub fn encoded_len_hint(&self) -> usize {
        let chain: usize = self.chain.iter().map(|c| c.as_ref().len() + 5).sum();
        let extra =
            self.ocsp_response.map_or(0, <[u8]>::len) + self.sct_list.map_or(0, <[u8]>::len);
        16 + self.context.len() + chain + extra
    }
}

/// A CompressedCertificate message (RFC 8879 section 4): a Certificate
/// body compressed with `algorithm`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompressedCertificate {
    /// The compression algorithm's code point.
    pub algorithm: u16,
    /// The length of the Certificate body once decompressed (24 bits).
    pub uncompressed_len: usize,
    /// `compressed_certificate_message<1..2^24-1>`.
    pub compressed: Vec<u8>,
}

impl CompressedCertificate {
    /// Decodes the body.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        let algorithm = r.u16()?;
        let uncompressed_len = r.u24()? as usize;
        let compressed = r.vec24()?.to_vec();
        r.finish()?;
        if compressed.is_empty() {
            return Err(Error::decode("empty compressed_certificate_message"));
        }
        Ok(CompressedCertificate {
            algorithm,
            uncompressed_len,
            compressed,
        })
    }

    /// Encodes the body.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        let len = u32::try_from(self.uncompressed_len)
            .ok()
            .filter(|&l| l < 1 << 24)
            .ok_or_else(|| Error::internal("certificate too long to compress"))?;
        out.put_u16v(self.algorithm);
        out.put_bytes(&len.to_be_bytes()[1..]);
        put_vec(out, LenPrefix::U24, &self.compressed)
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

/// Decodes a certificate_authorities body (RFC 8446 section 4.2.4:
/// `DistinguishedName authorities<3..2^16-1>`, each name `<1..2^16-1>`).
pub(crate) fn decode_authorities(b: &mut Reader<'_>) -> Result<Vec<Vec<u8>>, Error> {
    let mut l = b.sub16()?;
    if l.is_empty() {
        return Err(Error::decode("empty certificate_authorities list"));
    }
    let mut authorities = Vec::new();
    while !l.is_empty() {
        let dn = l.vec16()?;
        if dn.is_empty() {
            return Err(Error::decode("empty distinguished name"));
        }
        authorities.push(dn.to_vec());
    }
    Ok(authorities)
}

/// Encodes a certificate_authorities body.
pub(crate) fn put_authorities(o: &mut Vec<u8>, authorities: &[Vec<u8>]) -> Result<(), Error> {
    put_len_prefixed(o, LenPrefix::U16, |o| {
        for dn in authorities {
            put_vec(o, LenPrefix::U16, dn)?;
        }
        Ok(())
    })
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
        for_each_extension(r, |typ, b| {
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
                    authorities = decode_authorities(b)?;
                }
                // Section 4.3.2: clients ignore extensions they do not know.
                _ => return Ok(Handled::Ignored),
            }
            Ok(Handled::Decoded)
        })?;
        r.finish()?;
        let signature_algorithms = sigs.ok_or_else(|| {
            Error::protocol(
                AlertDescription::MissingExtension,
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
                put_len_prefixed(o, LenPrefix::U16, |o| put_authorities(o, &self.authorities))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::wire::enums::AlertDescription;

    /// A Certificate body with one 3-byte "certificate" whose entry carries
    /// the extensions block `exts` (length prefix included).
    fn certificate_body(exts: &[u8]) -> Vec<u8> {
        let mut b = vec![0];
        put_len_prefixed(&mut b, LenPrefix::U24, |o| {
            put_vec(o, LenPrefix::U24, &[0x30, 1, 0])?;
            o.put_bytes(exts);
            Ok(())
        })
        .unwrap();
        b
    }

    #[test]
    fn entry_extensions_are_kept_by_type_and_checked() {
        // status_request (5) with a CertificateStatus, then SCT (18) with
        // a one-SCT list: the leaf's bodies are decoded.
        let exts = [
            0, 18, 0, 5, 0, 5, 1, 0, 0, 1, 0x30, 0, 18, 0, 5, 0, 3, 0, 1, 9,
        ];
        let body = certificate_body(&exts);
        let mut msg = vec![11, 0, 0, body.len() as u8];
        msg.extend_from_slice(&body);
        let mut m = CertificateMsg::decode(&mut Reader::new(&body)).unwrap();
        assert_eq!(
            m.entry_extensions,
            [
                ExtensionType::StatusRequest,
                ExtensionType::SignedCertificateTimestamp
            ]
        );
        assert_eq!(m.ocsp_response, None);
        let e = m.check_extensions(&[]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::UnsupportedExtension));
        let e = m
            .check_extensions(&[ExtensionType::StatusRequest])
            .unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::UnsupportedExtension));
        m.check_and_decode_extensions(
            &[
                ExtensionType::StatusRequest,
                ExtensionType::SignedCertificateTimestamp,
            ],
            &msg,
        )
        .unwrap();
        assert_eq!(m.ocsp_response.as_deref(), Some(&[0x30][..]));
        assert_eq!(m.sct_list.as_deref(), Some(&[0, 3, 0, 1, 9][..]));
        let clean = CertificateMsg::decode(&mut Reader::new(&certificate_body(&[0, 0]))).unwrap();
        clean.check_extensions(&[]).unwrap();
    }

    #[test]
    fn duplicate_entry_extension_is_illegal() {
        let exts = [0, 8, 0, 5, 0, 0, 0, 5, 0, 0];
        let e = CertificateMsg::decode(&mut Reader::new(&certificate_body(&exts))).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter));
    }

    #[test]
    fn certificate_request_trailing_bytes_are_decode_error() {
        let cr = |exts: &[u8]| {
            let mut b = vec![0];
            put_vec(&mut b, LenPrefix::U16, exts).unwrap();
            CertificateRequest::decode(&mut Reader::new(&b))
        };
        // signature_algorithms [0x0403].
        cr(&[0, 13, 0, 4, 0, 2, 4, 3]).unwrap();
        let e = cr(&[0, 13, 0, 5, 0, 2, 4, 3, 0]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::DecodeError));
        // certificate_authorities with a byte after its list.
        let e = cr(&[0, 13, 0, 4, 0, 2, 4, 3, 0, 47, 0, 6, 0, 3, 0, 1, 0x30, 9]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::DecodeError));
        // Unknown extensions stay ignored, whatever their body.
        cr(&[0, 13, 0, 4, 0, 2, 4, 3, 0x12, 0x34, 0, 1, 9]).unwrap();
    }
}
