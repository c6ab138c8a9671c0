//! `TlsStream::abort`: the application ends a connection with a fatal
//! alert of its choosing, which the peer (rustls) receives; afterwards the
//! stream fails with `Error::Aborted`. close_notify is refused.

mod common;

use std::sync::Arc;
use std::time::Duration;

use lctls::config::ServerConfig;
use lctls::proto::enums::AlertDescription;
use lctls::{Error, TlsAcceptor, TlsStream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

const TIMEOUT: Duration = Duration::from_secs(20);

type Client = tokio_rustls::client::TlsStream<TcpStream>;

async fn pair() -> (Client, TlsStream<TcpStream>) {
    let server = TlsAcceptor::from(Arc::new(
        ServerConfig::builder()
            .with_certified_key(common::certified("server"))
            .build()
            .expect("server config"),
    ));
    let client = tokio_rustls::TlsConnector::from(Arc::new(common::rustls_client_config()));
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    common::rustls_to_ours(&client, &server, &listener).await
}

/// The alert rustls reports receiving, reading until the connection ends.
async fn received(c: &mut Client) -> Option<rustls::AlertDescription> {
    let mut buf = [0u8; 64];
    for _ in 0..16 {
        match c.read(&mut buf).await {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) => {
                return match e.get_ref()?.downcast_ref::<rustls::Error>()? {
                    rustls::Error::AlertReceived(a) => Some(*a),
                    _ => None,
                }
            }
        }
    }
    None
}

#[tokio::test]
async fn abort_sends_the_alert_and_fails_the_stream() {
    timeout(TIMEOUT, async {
        for (alert, want) in [
            (
                AlertDescription::AccessDenied,
                rustls::AlertDescription::AccessDenied,
            ),
            // decompression_failure, which lctls has no name for.
            (
                AlertDescription::Unknown(30),
                rustls::AlertDescription::DecompressionFailure,
            ),
        ] {
            let (mut c, mut s) = pair().await;
            assert_eq!(s.abort(alert), Error::Aborted(alert));
            assert_eq!(s.abort(alert).alert(), Some(alert));
            s.flush().await.expect("flush the alert");
            assert_eq!(received(&mut c).await, Some(want), "{alert:?}");
            let e = s.write_all(b"more").await.expect_err("write after abort");
            assert_eq!(Error::from_io(&e), Some(&Error::Aborted(alert)), "{e}");
        }
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn abort_refuses_close_notify() {
    timeout(TIMEOUT, async {
        let (mut c, mut s) = pair().await;
        assert!(matches!(
            s.abort(AlertDescription::CloseNotify),
            Error::Config(_)
        ));
        // Nothing was sent: the connection still carries data.
        s.write_all(b"ok").await.expect("write");
        s.flush().await.expect("flush");
        let mut got = [0u8; 2];
        c.read_exact(&mut got).await.expect("read");
        assert_eq!(&got, b"ok");
    })
    .await
    .expect("test timed out");
}
