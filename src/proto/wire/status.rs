//! OCSP stapling on the wire: the status_request extension and the
//! CertificateStatus structure (RFC 6066 section 8), which TLS 1.2 sends as
//! its own handshake message and TLS 1.3 puts in the end entity's
//! CertificateEntry (RFC 8446 section 4.4.2.1). Also the
//! signed_certificate_timestamp list (RFC 6962 section 3.3.1), which rides
//! in the same places (the TLS 1.2 ServerHello, the TLS 1.3 entry).

use crate::error::Error;
use crate::proto::wire::reader::{put_vec, LenPrefix, Put, Reader};

/// CertificateStatusType ocsp(1), the only type RFC 6066 defines.
pub const STATUS_TYPE_OCSP: u8 = 1;

/// Decodes a ClientHello's status_request body; true when it asks for OCSP.
///
/// ```text
/// struct { CertificateStatusType status_type;
///          select (status_type) { case ocsp: OCSPStatusRequest; } request;
/// } CertificateStatusRequest;
/// struct { ResponderID responder_id_list<0..2^16-1>;
///          Extensions  request_extensions<0..2^16-1>; } OCSPStatusRequest;
/// ```
///
/// Responder IDs and request extensions are framed but not used: a server
/// staples the one response it has. Another status type, whose body we
/// cannot frame, is skipped (not asked for), as BoringSSL does.
pub fn decode_status_request(b: &mut Reader<'_>) -> Result<bool, Error> {
    if b.u8()? != STATUS_TYPE_OCSP {
        b.take(b.left())?;
        return Ok(false);
    }
    b.vec16()?;
    b.vec16()?;
    Ok(true)
}

/// Encodes a status_request body asking for OCSP, with no responder IDs
/// and no request extensions (what OpenSSL, BoringSSL and rustls send).
pub fn put_status_request(out: &mut Vec<u8>) {
    out.put_u8v(STATUS_TYPE_OCSP);
    out.put_u16v(0);
    out.put_u16v(0);
}

/// Decodes a CertificateStatus body: the DER OCSPResponse it carries.
///
/// ```text
/// struct { CertificateStatusType status_type;
///          select (status_type) { case ocsp: OCSPResponse; } response;
/// } CertificateStatus;
/// opaque OCSPResponse<1..2^24-1>;
/// ```
///
/// Any other status type is one we never asked for: decode_error, since
/// the body cannot be read (BoringSSL answers the same).
pub fn decode_certificate_status(b: &mut Reader<'_>) -> Result<Vec<u8>, Error> {
    if b.u8()? != STATUS_TYPE_OCSP {
        return Err(Error::decode("CertificateStatus of a type other than ocsp"));
    }
    let response = b.vec24()?;
    if response.is_empty() {
        return Err(Error::decode("empty OCSPResponse in CertificateStatus"));
    }
    b.finish()?;
    Ok(response.to_vec())
}

/// Encodes a CertificateStatus body carrying `response`.
pub fn put_certificate_status(out: &mut Vec<u8>, response: &[u8]) -> Result<(), Error> {
    out.put_u8v(STATUS_TYPE_OCSP);
    put_vec(out, LenPrefix::U24, response)
}

/// Checks a SignedCertificateTimestampList (the extension body, length
/// prefix included): a non-empty list of non-empty SCTs and nothing after.
///
/// ```text
/// opaque SerializedSCT<1..2^16-1>;
/// struct { SerializedSCT sct_list <1..2^16-1>; } SignedCertificateTimestampList;
/// ```
pub fn check_sct_list(body: &[u8]) -> Result<(), Error> {
    let mut r = Reader::new(body);
    let mut list = r.sub16()?;
    r.finish()?;
    if list.is_empty() {
        return Err(Error::decode("empty signed_certificate_timestamp list"));
    }
    while !list.is_empty() {
        if list.vec16()?.is_empty() {
            return Err(Error::decode("empty SCT in signed_certificate_timestamp"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::wire::enums::AlertDescription;

    #[test]
    fn status_request_round_trip_and_other_types() {
        let mut b = Vec::new();
        put_status_request(&mut b);
        assert_eq!(b, [1, 0, 0, 0, 0]);
        let mut r = Reader::new(&b);
        assert!(decode_status_request(&mut r).unwrap());
        assert!(r.is_empty());
        // ocsp_multi(2) is not ours: skipped whole.
        let mut r = Reader::new(&[2, 0, 4, 9, 9, 9, 9]);
        assert!(!decode_status_request(&mut r).unwrap());
        assert!(r.is_empty());
        let e = decode_status_request(&mut Reader::new(&[1, 0, 3, 0])).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::DecodeError));
    }

    #[test]
    fn sct_lists_are_checked() {
        check_sct_list(&[0, 6, 0, 4, 5, 6, 7, 8]).unwrap();
        for bad in [
            &[][..],
            &[0, 0],
            &[0, 6, 0, 2, 1, 2, 0, 0],
            &[0, 3, 0, 4, 5],
            &[0, 3, 0, 1, 5, 9],
        ] {
            let e = check_sct_list(bad).unwrap_err();
            assert_eq!(e.alert(), Some(AlertDescription::DecodeError), "{bad:?}");
        }
    }

    #[test]
    fn certificate_status_is_total() {
        let mut b = Vec::new();
        put_certificate_status(&mut b, &[0x30, 0]).unwrap();
        assert_eq!(
            decode_certificate_status(&mut Reader::new(&b)).unwrap(),
            [0x30, 0]
        );
        for bad in [
            &[][..],
            &[1],
            &[1, 0, 0, 0],
            &[2, 0, 0, 1, 0],
            &[1, 0, 0, 2, 0],
            &[1, 0, 0, 1, 0, 0],
        ] {
            let e = decode_certificate_status(&mut Reader::new(bad)).unwrap_err();
            assert_eq!(e.alert(), Some(AlertDescription::DecodeError), "{bad:?}");
        }
    }
}
