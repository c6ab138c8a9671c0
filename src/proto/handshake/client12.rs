//! The TLS 1.2 client handshake (RFC 5246 with RFC 7627, 5746, 5077, 8422).
