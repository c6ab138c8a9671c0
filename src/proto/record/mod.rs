//! The record layer: framing (a tokio-util codec) and AEAD protection.
