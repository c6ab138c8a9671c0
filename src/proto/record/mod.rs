//! The record layer: framing (a tokio-util codec) and AEAD protection.
//!
//! [`codec::RecordCodec`] cuts the byte stream into [`codec::OpaqueRecord`]s
//! and checks each header; [`layer::RecordLayer`] opens them in place into
//! [`layer::PlainRecord`]s and seals outgoing content straight into the write
//! buffer.

pub mod codec;
pub mod layer;
pub mod outbuf;

pub use codec::{OpaqueRecord, RecordCodec, HEADER_LEN, MAX_CIPHERTEXT, MAX_PLAINTEXT};
pub use layer::RecordLayer;
pub use outbuf::{OutBuf, RecordSink};
