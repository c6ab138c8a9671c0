//! The TLS 1.2 server handshake (RFC 5246 with RFC 7627, 5746, 5077, 8422).
