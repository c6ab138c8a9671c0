//! KeyUpdate abuse: a peer's KeyUpdates are capped at 32 in a row without
//! application data between them (each costs an HKDF expansion and a new
//! AEAD key; BoringSSL has the same cap), and no KeyUpdate is sent after our
//! close_notify. (A KeyUpdate received after the peer's close_notify is
//! refused too; that needs a hand-sealed record, see src/proto/conn_tests.rs.)

mod support;

use lctls::proto::enums::AlertDescription;
use lctls::proto::Connection;
use lctls::Error;
use support::{drive_handshake, sans_io_client, server_config, timeout, tls_err};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An established TLS 1.3 sans-IO pair with the server's tickets delivered.
fn tls13_pair() -> (Connection, Connection) {
    let mut c = sans_io_client(support::client_config(), "localhost");
    let mut s = Connection::new_server(server_config("server"));
    drive_handshake(&mut c, &mut s);
    c.feed(&s.take_outgoing());
    c.process().unwrap();
    (c, s)
}

/// 32 KeyUpdates in a row are taken; after application data the count
/// starts again; the 33rd in a row is refused with unexpected_message,
/// which the sender then receives.
#[test]
fn thirty_three_key_updates_in_a_row_are_refused() {
    let (mut c, mut s) = tls13_pair();
    for round in 0..2 {
        for _ in 0..32 {
            c.update_keys(false).unwrap();
        }
        c.write_plaintext(b"data").unwrap();
        s.feed(&c.take_outgoing());
        s.process().unwrap_or_else(|e| panic!("round {round}: {e}"));
        let mut buf = [0u8; 8];
        assert_eq!(s.read_plaintext(&mut buf), 4);
    }
    for _ in 0..33 {
        c.update_keys(false).unwrap();
    }
    s.feed(&c.take_outgoing());
    let e = s.process().unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::UnexpectedMessage), "{e}");
    c.feed(&s.take_outgoing());
    assert_eq!(
        c.process().unwrap_err(),
        Error::AlertReceived(AlertDescription::UnexpectedMessage)
    );
}

/// With application data between them, KeyUpdates are not limited: 500
/// update-and-write rounds, the peer asking for an answer each time.
#[test]
fn key_updates_with_data_between_are_fine() {
    let (mut c, mut s) = tls13_pair();
    let mut buf = [0u8; 8];
    for i in 0..500u32 {
        c.update_keys(true).unwrap();
        c.write_plaintext(&i.to_be_bytes()).unwrap();
        s.feed(&c.take_outgoing());
        s.process().unwrap_or_else(|e| panic!("update {i}: {e}"));
        assert_eq!(s.read_plaintext(&mut buf), 4);
        assert_eq!(buf[..4], i.to_be_bytes());
        // The answer, then data, so the client's counter restarts too.
        s.write_plaintext(b"ok").unwrap();
        c.feed(&s.take_outgoing());
        c.process().unwrap_or_else(|e| panic!("answer {i}: {e}"));
        assert_eq!(c.read_plaintext(&mut buf), 2);
    }
}

/// The same cap through TlsStream: the reader gets the unexpected_message
/// error and the sender the alert.
#[tokio::test]
async fn stream_refuses_the_thirty_third_key_update() {
    timeout(async {
        let (mut c, mut s) = support::pair(
            support::client_config(),
            server_config("server"),
            "localhost",
        )
        .await;
        for _ in 0..33 {
            c.update_keys(false).unwrap();
        }
        c.flush().await.unwrap();
        let mut buf = [0u8; 8];
        let e = s.read(&mut buf).await.unwrap_err();
        assert_eq!(
            tls_err(&e).alert(),
            Some(AlertDescription::UnexpectedMessage),
            "{e}"
        );
        let e = c.read(&mut buf).await.unwrap_err();
        assert_eq!(
            tls_err(&e),
            &Error::AlertReceived(AlertDescription::UnexpectedMessage)
        );
    })
    .await
}

/// After our close_notify no KeyUpdate goes out: update_keys fails with
/// AlreadyClosed and queues nothing, and a peer's request is not answered
/// (its new keys are still taken, so its data still reads).
#[test]
fn no_key_update_after_our_close_notify() {
    let (mut c, mut s) = tls13_pair();
    c.send_close_notify();
    let closed = c.outgoing_len();
    assert_eq!(c.update_keys(false).unwrap_err(), Error::AlreadyClosed);
    assert_eq!(c.update_keys(true).unwrap_err(), Error::AlreadyClosed);
    assert_eq!(
        c.outgoing_len(),
        closed,
        "nothing queued after close_notify"
    );
    s.feed(&c.take_outgoing());
    s.process().unwrap();
    assert!(s.received_close_notify());

    s.update_keys(true).unwrap();
    s.write_plaintext(b"after the request").unwrap();
    c.feed(&s.take_outgoing());
    c.process().unwrap();
    assert_eq!(
        c.outgoing_len(),
        0,
        "no KeyUpdate answer after close_notify"
    );
    let mut buf = [0u8; 32];
    let n = c.read_plaintext(&mut buf);
    assert_eq!(&buf[..n], b"after the request");
}
