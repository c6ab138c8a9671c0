//! TLS 1.2 record protection (RFC 5246 section 6.2.3.3 with RFC 5288's
//! explicit nonces, or RFC 7905's XORed sequence number): the outer type is
//! the real one, and there is no inner content type or padding.

use aws_lc_rs::aead::Aad;

use super::{overflow, PlainRecord, Protection};
use crate::error::Error;
use crate::proto::record::codec::{encode_header, OpaqueRecord, HEADER_LEN, MAX_PLAINTEXT};
use crate::proto::record::outbuf::RecordSink;
use crate::proto::wire::enums::ContentType;

/// Opens a TLS 1.2 record: the outer type is the real one and the payload is
/// [explicit nonce] || ciphertext || tag.
pub(super) fn open12(prot: &mut Protection, rec: OpaqueRecord) -> Result<PlainRecord, Error> {
    match rec.typ {
        ContentType::ApplicationData | ContentType::Handshake | ContentType::Alert => {}
        ContentType::ChangeCipherSpec => {
            return Ok(PlainRecord {
                typ: rec.typ,
                payload: rec.payload,
            })
        }
        other => {
            return Err(Error::unexpected(format!(
                "record of content type {}",
                other.get()
            )))
        }
    }
    let explicit = prot.explicit_len();
    let tag = prot.tag_len();
    let mut payload = rec.payload;
    if payload.len() < explicit + tag {
        return Err(Error::BadRecordMac);
    }
    let plain_len = payload.len() - explicit - tag;
    if plain_len > MAX_PLAINTEXT {
        return Err(overflow(plain_len, MAX_PLAINTEXT));
    }
    let nonce = prot.read_nonce(&payload)?;
    let aad = prot.aad12(rec.typ, plain_len);
    let len = prot
        .key
        .open_in_place(nonce, Aad::from(aad), &mut payload[explicit..])
        .map_err(|_| Error::BadRecordMac)?
        .len();
    prot.seq += 1;
    let mut payload = payload.split_off(explicit);
    payload.truncate(len);
    if rec.typ == ContentType::ApplicationData {
        prot.opened_data |= !payload.is_empty();
    }
    if payload.is_empty() && rec.typ != ContentType::ApplicationData {
        return Err(Error::unexpected(format!(
            "zero-length record of content type {}",
            rec.typ.get()
        )));
    }
    Ok(PlainRecord {
        typ: rec.typ,
        payload,
    })
}

/// Seals a TLS 1.2 record, the explicit nonce being the sequence number.
pub(super) fn seal12<O: RecordSink>(
    prot: &mut Protection,
    typ: ContentType,
    payload: &[u8],
    out: &mut O,
) -> Result<(), Error> {
    let nonce = prot.nonce("write")?;
    let explicit = prot.explicit_len();
    let outer_len = explicit + payload.len() + prot.tag_len();
    let aad = prot.aad12(typ, payload.len());
    out.reserve(HEADER_LEN + outer_len);
    let start = out.len();
    out.put(&encode_header(typ, outer_len as u16));
    if explicit > 0 {
        out.put(&prot.seq.to_be_bytes());
    }
    prot.seal_from(nonce, Aad::from(aad), payload, &[], out, start)
}
