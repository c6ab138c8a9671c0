//! 0-RTT data (RFC 8446 sections 2.3, 4.2.10 and 8): when a server takes
//! early data, and how a client sends it.
//!
//! A server takes early data only when [`with_max_early_data`] enabled it,
//! and then only on a ticket issued with it, for the same cipher suite, ALPN
//! protocol and SNI name, whose age the client reports within the anti-replay
//! window, and whose early data no other connection took (see
//! [`StrikeRegister`], the default, or the [`AntiReplay`] given to
//! [`with_anti_replay`]). Whatever it refuses it skips (RFC 8446 section
//! 4.2.10: records that fail to decrypt under the handshake key, or
//! plaintext application data after a HelloRetryRequest), at most 16,384
//! bytes or the configured limit if larger, and the handshake goes on in
//! 1-RTT. Accepted early data is kept apart from the application data
//! stream, so nothing read as ordinary data was ever replayable.
//!
//! A client sends early data with
//! [`TlsConnector::connect_with_replayable_early_data`] (sans-IO:
//! [`Connection::new_client_with_replayable_early_data`]); [`OnReject`]
//! says what becomes of what the server refuses, and [`EarlyDataReason`]
//! why it did.
//!
//! [`with_max_early_data`]: crate::config::ServerConfigBuilder::with_max_early_data
//! [`with_anti_replay`]: crate::config::ServerConfigBuilder::with_anti_replay
//! [`StrikeRegister`]: crate::config::StrikeRegister
//! [`AntiReplay`]: crate::config::AntiReplay
//! [`TlsConnector::connect_with_replayable_early_data`]: crate::TlsConnector::connect_with_replayable_early_data
//! [`Connection::new_client_with_replayable_early_data`]: crate::proto::Connection::new_client_with_replayable_early_data
//! [`OnReject`]: crate::proto::OnReject
//! [`EarlyDataReason`]: crate::proto::EarlyDataReason
