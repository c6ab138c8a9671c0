//! 0-RTT (RFC 8446 sections 2.3, 4.2.10 and 8) between lctls's client and
//! server: accepted early data kept apart from ordinary data, rejected early
//! data skipped (by a server that never takes 0-RTT too), re-sent by the
//! client after the handshake, refused on replay and on a stale ticket age.

mod support;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lctls::config::{ClientConfig, ServerConfig, TimeProvider};
use lctls::proto::enums::{AlertDescription, NamedGroup, ProtocolVersion};
use lctls::proto::{Connection, EarlyDataReason, OnReject};
use lctls::{TlsAcceptor, TlsConnector, TlsStream};
use rustls_pki_types::{ServerName, UnixTime};
use support::{client_builder, server_builder, timeout};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

/// System time shifted by a settable number of seconds.
#[derive(Debug, Default)]
struct Skewed(AtomicI64);

impl TimeProvider for Skewed {
    fn now(&self) -> UnixTime {
        let now = UnixTime::now().as_secs() as i64 + self.0.load(Ordering::SeqCst);
        UnixTime::since_unix_epoch(Duration::from_secs(now as u64))
    }
}

fn client() -> Arc<ClientConfig> {
    support::client_with(|b| b.with_protocol_versions(&[ProtocolVersion::TLSv1_3]))
}

fn early_server(max: u32) -> Arc<ServerConfig> {
    support::server_with("server", |b| b.with_max_early_data(max))
}

/// A full handshake whose ticket the client takes in (it reads after the
/// handshake, which is when NewSessionTicket is processed).
async fn get_ticket(cc: &Arc<ClientConfig>, sc: &Arc<ServerConfig>) {
    let (mut c, mut s) = connect(cc, sc, None).await;
    s.write_all(b"t").await.unwrap();
    s.flush().await.unwrap();
    let mut one = [0u8; 1];
    c.read_exact(&mut one).await.unwrap();
}

async fn connect(
    cc: &Arc<ClientConfig>,
    sc: &Arc<ServerConfig>,
    early: Option<&[u8]>,
) -> (TlsStream<DuplexStream>, TlsStream<DuplexStream>) {
    let (a, b) = tokio::io::duplex(256 * 1024);
    let connector = TlsConnector::from(cc.clone());
    let connect = async {
        match early {
            Some(d) => {
                connector
                    .connect_with_replayable_early_data(
                        "localhost",
                        a,
                        d.to_vec(),
                        OnReject::Resend,
                    )
                    .await
            }
            None => connector.connect("localhost", a).await,
        }
    };
    let (c, s) = tokio::join!(connect, TlsAcceptor::from(sc.clone()).accept(b));
    (c.expect("client handshake"), s.expect("server handshake"))
}

/// Reads exactly `n` ordinary bytes.
async fn read_n(s: &mut TlsStream<DuplexStream>, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    s.read_exact(&mut v).await.unwrap();
    v
}

#[tokio::test]
async fn accepted_early_data_is_kept_apart_from_ordinary_data() {
    timeout(async {
        let (cc, sc) = (client(), early_server(4096));
        get_ticket(&cc, &sc).await;
        let (mut c, mut s) = connect(&cc, &sc, Some(REQUEST)).await;
        assert!(c.negotiated().resumed);
        assert_eq!(c.negotiated().early_data, EarlyDataReason::Accepted);
        assert_eq!(s.negotiated().early_data, EarlyDataReason::Accepted);
        assert!(s.negotiated().early_data_offered && !c.negotiated().early_data_resent);
        assert_eq!(s.take_replayable_early_data().as_deref(), Some(REQUEST));
        assert_eq!(s.take_replayable_early_data(), None);
        // Ordinary reads see only what came after the handshake.
        c.write_all(b"1-RTT").await.unwrap();
        c.flush().await.unwrap();
        assert_eq!(read_n(&mut s, 5).await, b"1-RTT");
        s.write_all(b"ok").await.unwrap();
        s.flush().await.unwrap();
        assert_eq!(read_n(&mut c, 2).await, b"ok");
    })
    .await
}

/// Beyond the ticket's max_early_data_size the rest goes after the handshake.
#[tokio::test]
async fn data_beyond_the_ticket_limit_follows_as_ordinary_data() {
    timeout(async {
        let (cc, sc) = (client(), early_server(10));
        get_ticket(&cc, &sc).await;
        let (_c, mut s) = connect(&cc, &sc, Some(REQUEST)).await;
        assert_eq!(s.negotiated().early_data, EarlyDataReason::Accepted);
        assert_eq!(
            s.take_replayable_early_data().as_deref(),
            Some(&REQUEST[..10])
        );
        assert_eq!(read_n(&mut s, REQUEST.len() - 10).await, &REQUEST[10..]);
    })
    .await
}

/// Regression (BoGo SkipEarlyData-TLS13): a server that never takes 0-RTT
/// skips the records it cannot decrypt, and the client re-sends the data
/// after the handshake, where the server reads it as ordinary data. The
/// ticket comes from another configuration, so it does not resume either.
#[tokio::test]
async fn a_server_without_0rtt_skips_early_data_and_the_client_resends() {
    timeout(async {
        let cc = client();
        get_ticket(&cc, &early_server(4096)).await;
        let plain = Arc::new(server_builder("server").build().unwrap());
        let (c, mut s) = connect(&cc, &plain, Some(REQUEST)).await;
        assert!(s.negotiated().early_data_offered);
        assert_eq!(s.negotiated().early_data, EarlyDataReason::Disabled);
        assert_eq!(
            c.negotiated().early_data,
            EarlyDataReason::SessionNotResumed
        );
        assert!(c.negotiated().early_data_resent);
        assert_eq!(s.take_replayable_early_data(), None);
        assert_eq!(read_n(&mut s, REQUEST.len()).await, REQUEST);
    })
    .await
}

/// The same after a HelloRetryRequest: the 0-RTT records arrive while the
/// server's read side is still in plaintext and are skipped by type.
#[tokio::test]
async fn early_data_before_a_hello_retry_request_is_skipped() {
    timeout(async {
        let cc = client();
        let sc = support::server_with("server", |b| {
            b.with_max_early_data(4096)
                .with_groups(&[NamedGroup::secp384r1])
        });
        get_ticket(&cc, &sc).await;
        let (c, mut s) = connect(&cc, &sc, Some(REQUEST)).await;
        assert!(s.negotiated().retried && s.negotiated().resumed);
        assert_eq!(
            s.negotiated().early_data,
            EarlyDataReason::HelloRetryRequest
        );
        assert_eq!(
            c.negotiated().early_data,
            EarlyDataReason::HelloRetryRequest
        );
        assert_eq!(read_n(&mut s, REQUEST.len()).await, REQUEST);
    })
    .await
}

/// A sans-IO client's first flight with 0-RTT data: ClientHello,
/// change_cipher_spec and the early data records.
fn first_flight(cc: &Arc<ClientConfig>, data: &[u8]) -> Vec<u8> {
    let mut c = Connection::new_client_with_replayable_early_data(
        cc.clone(),
        ServerName::try_from("localhost").unwrap(),
        data.to_vec(),
        OnReject::Resend,
    )
    .unwrap();
    c.take_outgoing().to_vec()
}

/// The same ClientHello with early data sent twice (a capture replayed):
/// the first is accepted, the second refused by the strike register and
/// skipped, and that handshake goes on in 1-RTT.
#[tokio::test]
async fn a_replayed_client_hello_gets_no_0rtt() {
    let (cc, sc) = (client(), early_server(4096));
    timeout(get_ticket(&cc, &sc)).await;
    let flight = first_flight(&cc, REQUEST);
    let mut first = Connection::new_server(sc.clone());
    first.feed(&flight);
    first.process().unwrap();
    assert_eq!(first.negotiated().early_data, EarlyDataReason::Accepted);
    assert_eq!(first.take_replayable_early_data().as_deref(), Some(REQUEST));

    let mut replay = Connection::new_server(sc.clone());
    replay.feed(&flight);
    replay.process().expect("the replay is skipped, not fatal");
    assert!(replay.negotiated().resumed);
    assert_eq!(replay.negotiated().early_data, EarlyDataReason::Replayed);
    assert_eq!(replay.take_replayable_early_data(), None);
    assert!(replay.outgoing_len() > 0, "the server answers in 1-RTT");
}

/// RFC 8446 section 8.3: a ticket age off by more than the window (here the
/// server's clock jumps a minute ahead after issuing the ticket, while the
/// client's does not) gets no 0-RTT, and the handshake resumes in 1-RTT.
#[tokio::test]
async fn a_stale_ticket_age_gets_no_0rtt() {
    timeout(async {
        let clock = Arc::new(Skewed::default());
        let cc = client();
        let sc = support::server_with("server", |b| {
            b.with_max_early_data(4096)
                .with_time_provider(clock.clone())
        });
        get_ticket(&cc, &sc).await;
        clock.0.store(60, Ordering::SeqCst);
        let (c, mut s) = connect(&cc, &sc, Some(REQUEST)).await;
        assert!(s.negotiated().resumed);
        assert_eq!(s.negotiated().early_data, EarlyDataReason::TicketAgeSkew);
        // The client thinks the ticket a minute younger (whole seconds).
        let skew = s.negotiated().ticket_age_skew.unwrap();
        assert!((-61..=-59).contains(&skew), "{skew}");
        assert_eq!(c.negotiated().early_data, EarlyDataReason::PeerDeclined);
        assert_eq!(read_n(&mut s, REQUEST.len()).await, REQUEST);
    })
    .await
}

/// A server skips at most 16 KiB of rejected early data (BoringSSL's bound;
/// BoGo SkipEarlyData-TooMuchData-TLS13), then fails with unexpected_message.
#[test]
fn too_much_rejected_early_data_is_unexpected_message() {
    let cc = client();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(timeout(get_ticket(&cc, &early_server(1 << 20))));
    let flight = first_flight(&cc, &vec![7u8; 40 * 1024]);
    let mut server = Connection::new_server(Arc::new(server_builder("server").build().unwrap()));
    server.feed(&flight);
    let e = server.process().unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::UnexpectedMessage), "{e}");
    assert!(e.to_string().contains("too much skipped early data"), "{e}");
}

/// Early data is only offered on a ticket that allows it: a server without
/// 0-RTT issues tickets without early_data, and the client then sends its
/// data as ordinary data after the handshake.
#[tokio::test]
async fn a_ticket_without_early_data_gets_none_offered() {
    timeout(async {
        let cc = client();
        let plain = Arc::new(server_builder("server").build().unwrap());
        get_ticket(&cc, &plain).await;
        let (c, mut s) = connect(&cc, &plain, Some(REQUEST)).await;
        assert!(c.negotiated().resumed && !s.negotiated().early_data_offered);
        assert_eq!(
            c.negotiated().early_data,
            EarlyDataReason::UnsupportedForSession
        );
        assert_eq!(s.negotiated().early_data, EarlyDataReason::Disabled);
        assert_eq!(read_n(&mut s, REQUEST.len()).await, REQUEST);
    })
    .await
}

/// With [`OnReject::Keep`] nothing is re-sent: the application gets the
/// rejected data back and decides.
#[tokio::test]
async fn with_keep_rejected_early_data_is_returned_not_resent() {
    timeout(async {
        let cc = client();
        get_ticket(&cc, &early_server(4096)).await;
        let plain = Arc::new(server_builder("server").build().unwrap());
        let (a, b) = tokio::io::duplex(64 * 1024);
        let (c, s) = tokio::join!(
            TlsConnector::from(cc.clone()).connect_with_replayable_early_data(
                "localhost",
                a,
                REQUEST.to_vec(),
                OnReject::Keep
            ),
            TlsAcceptor::from(plain).accept(b)
        );
        let (mut c, mut s) = (c.unwrap(), s.unwrap());
        assert!(!c.negotiated().early_data_resent);
        assert_eq!(c.take_undelivered_early_data().as_deref(), Some(REQUEST));
        c.write_all(b"x").await.unwrap();
        c.flush().await.unwrap();
        // The server got nothing before the application's own write.
        assert_eq!(read_n(&mut s, 1).await, b"x");
    })
    .await
}

/// `accept_with_early_data` hands the stream out before the client's
/// Finished: the server reads the 0-RTT request and answers it in 0.5-RTT;
/// the handshake completes during the following reads.
#[tokio::test]
async fn a_server_answers_early_data_before_the_handshake_completes() {
    timeout(async {
        let (cc, sc) = (client(), early_server(4096));
        get_ticket(&cc, &sc).await;
        let (a, b) = tokio::io::duplex(64 * 1024);
        let server = tokio::spawn(async move {
            let mut s = TlsAcceptor::from(sc)
                .accept_with_early_data(b)
                .await
                .unwrap();
            assert!(s.connection().is_handshaking());
            assert!(s.connection().is_early_data_phase());
            let mut got = Vec::new();
            while let Some(chunk) = s.read_early_data().await.unwrap() {
                got.extend_from_slice(&chunk);
                // 0.5-RTT answer.
                s.write_all(b"half-rtt").await.unwrap();
                s.flush().await.unwrap();
            }
            assert_eq!(got, REQUEST);
            // Ordinary data after the handshake, which the read completes.
            assert_eq!(read_n(&mut s, 5).await, b"after");
            assert!(!s.connection().is_handshaking());
            assert!(s.take_replayable_early_data().is_none());
        });
        let mut c = TlsConnector::from(cc)
            .connect_with_replayable_early_data("localhost", a, REQUEST.to_vec(), OnReject::Keep)
            .await
            .unwrap();
        assert_eq!(c.negotiated().early_data, EarlyDataReason::Accepted);
        assert_eq!(read_n(&mut c, 8).await, b"half-rtt");
        c.write_all(b"after").await.unwrap();
        c.flush().await.unwrap();
        server.await.unwrap();
    })
    .await
}

/// RFC 8446 appendix D.3: a client that sent 0-RTT data and gets a TLS 1.2
/// ServerHello fails with protocol_version (BoGo
/// EarlyDataVersionDowngrade-Client-TLS13).
#[tokio::test]
async fn a_tls12_answer_to_0rtt_is_protocol_version() {
    timeout(async {
        let cc = Arc::new(client_builder().build().unwrap());
        get_ticket(&cc, &early_server(4096)).await;
        let tls12 = support::server_with("server", |b| {
            b.with_protocol_versions(&[ProtocolVersion::TLSv1_2])
        });
        let (a, b) = tokio::io::duplex(64 * 1024);
        let (c, _s) = tokio::join!(
            TlsConnector::from(cc).connect_with_replayable_early_data(
                "localhost",
                a,
                REQUEST.to_vec(),
                OnReject::Resend
            ),
            TlsAcceptor::from(tls12).accept(b)
        );
        let e = support::handshake_err(c);
        assert_eq!(e.alert(), Some(AlertDescription::ProtocolVersion), "{e}");
    })
    .await
}
