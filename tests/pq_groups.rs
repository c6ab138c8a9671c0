//! Post-quantum key exchange by default, between lctls endpoints: the
//! X25519MLKEM768 hybrid first in both sides' default groups, an X25519 share
//! beside it, the server's preference for post-quantum groups, the opt-in
//! groups (SecP256r1MLKEM768, MLKEM1024, P-521), explicit key shares and the
//! server hint, and TLS 1.2 never using an ML-KEM group.

mod support;

use std::sync::Arc;

use lctls::config::{ClientConfig, ClientConfigBuilder, ServerConfigBuilder};
use lctls::proto::enums::{AlertDescription, NamedGroup, ProtocolVersion};
use lctls::unstable_internals::ClientHello;
use lctls::Error;
use support::forge::{decode_hello, plain_handshakes};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const HYBRID: NamedGroup = NamedGroup::X25519MLKEM768;
const P256_HYBRID: NamedGroup = NamedGroup::SecP256r1MLKEM768;
const CLASSICAL: &[NamedGroup] = &[
    NamedGroup::X25519,
    NamedGroup::secp256r1,
    NamedGroup::secp384r1,
];

/// What one handshake between lctls endpoints agreed.
#[derive(Debug, PartialEq, Eq)]
struct Agreed {
    group: NamedGroup,
    retried: bool,
}

/// Runs one handshake (and one echoed message) and reports the group and
/// whether a HelloRetryRequest was needed; both sides must agree on both.
async fn agree(
    client: ClientConfigBuilder,
    server: ServerConfigBuilder,
) -> Result<Agreed, (Error, Error)> {
    let (c, s) = timeout(try_pair(
        Arc::new(client.build().unwrap()),
        Arc::new(server.build().unwrap()),
        "localhost",
    ))
    .await;
    let (mut c, mut s) = match (c, s) {
        (Ok(c), Ok(s)) => (c, s),
        (c, s) => return Err((handshake_err(c.map(|_| ())), handshake_err(s.map(|_| ())))),
    };
    assert_eq!(c.key_exchange_group(), s.key_exchange_group());
    assert_eq!(c.negotiated().retried, s.negotiated().retried);
    c.write_all(b"pq?").await.unwrap();
    c.flush().await.unwrap();
    let mut b = [0u8; 3];
    s.read_exact(&mut b).await.unwrap();
    assert_eq!(&b, b"pq?");
    Ok(Agreed {
        group: c.key_exchange_group().unwrap(),
        retried: c.negotiated().retried,
    })
}

fn server() -> ServerConfigBuilder {
    server_builder("server")
}

/// The first ClientHello a client config sends.
fn first_hello(b: ClientConfigBuilder) -> ClientHello {
    let mut c = sans_io_client(Arc::new(b.build().unwrap()), "localhost");
    decode_hello(&plain_handshakes(&c.take_outgoing())[0])
}

/// (group, share length) of each key share in a ClientHello.
fn shares(ch: &ClientHello) -> Vec<(NamedGroup, usize)> {
    ch.extensions
        .key_shares
        .as_ref()
        .expect("key_share extension")
        .iter()
        .map(|k| (k.group, k.payload.len()))
        .collect()
}

#[tokio::test]
async fn defaults_agree_on_x25519mlkem768_without_retry() {
    let got = agree(client_builder(), server()).await.unwrap();
    assert_eq!(
        got,
        Agreed {
            group: HYBRID,
            retried: false
        }
    );
}

/// The default ClientHello lists the hybrid first and carries its
/// 1,216-byte share (ML-KEM-768 encapsulation key, X25519 key) and an X25519
/// share.
#[test]
fn default_client_hello_offers_hybrid_and_x25519_shares() {
    let ch = first_hello(client_builder());
    assert_eq!(
        ch.extensions.supported_groups.as_deref(),
        Some(
            &[
                HYBRID,
                NamedGroup::X25519,
                NamedGroup::secp256r1,
                NamedGroup::secp384r1
            ][..]
        )
    );
    assert_eq!(shares(&ch), [(HYBRID, 1184 + 32), (NamedGroup::X25519, 32)]);
}

/// A server without the hybrid (lctls's old defaults) takes the X25519
/// share: no HelloRetryRequest.
#[tokio::test]
async fn classical_server_takes_the_x25519_share_without_retry() {
    let got = agree(client_builder(), server().with_groups(CLASSICAL))
        .await
        .unwrap();
    assert_eq!(
        got,
        Agreed {
            group: NamedGroup::X25519,
            retried: false
        }
    );
}

/// The server prefers a post-quantum group whenever the client supports
/// one, even when that costs a HelloRetryRequest: a client listing the
/// hybrid but sending only an X25519 share is asked for the hybrid share.
#[tokio::test]
async fn server_retries_for_the_hybrid_over_a_classical_share() {
    let c = client_builder().with_key_shares(&[NamedGroup::X25519]);
    assert_eq!(
        agree(c, server()).await.unwrap(),
        Agreed {
            group: HYBRID,
            retried: true
        }
    );
    // Whatever the client's own order: it lists X25519 first here.
    let c = client_builder()
        .with_groups(&[NamedGroup::X25519, HYBRID])
        .with_key_shares(&[NamedGroup::X25519]);
    assert_eq!(
        agree(c, server()).await.unwrap(),
        Agreed {
            group: HYBRID,
            retried: true
        }
    );
}

/// Between classical groups too the server takes its own favourite that the
/// client supports (X25519), with a retry when the client predicted another
/// (BoGo's SendHelloRetryRequest-2-TLS13), and the client's prediction when
/// it supports nothing the server prefers.
#[tokio::test]
async fn server_retries_for_its_favourite_classical_group() {
    let c = client_builder().with_groups(&[NamedGroup::secp256r1, NamedGroup::X25519]);
    assert_eq!(
        shares(&first_hello(
            client_builder().with_groups(&[NamedGroup::secp256r1, NamedGroup::X25519])
        )),
        [(NamedGroup::secp256r1, 65)]
    );
    assert_eq!(
        agree(c, server()).await.unwrap(),
        Agreed {
            group: NamedGroup::X25519,
            retried: true
        }
    );
    let c = client_builder().with_groups(&[NamedGroup::secp256r1]);
    assert_eq!(
        agree(c, server()).await.unwrap(),
        Agreed {
            group: NamedGroup::secp256r1,
            retried: false
        }
    );
}

/// A client preferring a classical group still sends a post-quantum share
/// beside it (the first group of the other kind), so a server preferring
/// post-quantum needs no retry.
#[tokio::test]
async fn classical_first_client_also_sends_a_hybrid_share() {
    let b = || client_builder().with_groups(&[NamedGroup::X25519, NamedGroup::secp256r1, HYBRID]);
    assert_eq!(
        shares(&first_hello(b())),
        [(NamedGroup::X25519, 32), (HYBRID, 1216)]
    );
    assert_eq!(
        agree(b(), server()).await.unwrap(),
        Agreed {
            group: HYBRID,
            retried: false
        }
    );
}

/// The opt-in groups, each alone on both sides.
#[tokio::test]
async fn opt_in_groups_agree() {
    for (g, share_len) in [
        (P256_HYBRID, 65 + 1184),
        (NamedGroup::MLKEM1024, 1568),
        (NamedGroup::secp521r1, 133),
    ] {
        let c = || client_builder().with_groups(&[g]);
        assert_eq!(shares(&first_hello(c())), [(g, share_len)], "{g:?}");
        let got = agree(c(), server().with_groups(&[g])).await.unwrap();
        assert_eq!(
            got,
            Agreed {
                group: g,
                retried: false
            },
            "{g:?}"
        );
    }
}

/// A HelloRetryRequest to SecP256r1MLKEM768: the second ClientHello carries
/// its 1,249-byte share, and the handshake completes on it.
#[tokio::test]
async fn retry_to_secp256r1mlkem768() {
    let c = client_builder()
        .with_groups(&[NamedGroup::X25519, P256_HYBRID])
        .with_key_shares(&[NamedGroup::X25519]);
    let s = server().with_groups(&[P256_HYBRID, NamedGroup::X25519]);
    assert_eq!(
        agree(c, s).await.unwrap(),
        Agreed {
            group: P256_HYBRID,
            retried: true
        }
    );
}

#[tokio::test]
async fn hybrid_only_client_against_classical_server_has_no_common_group() {
    let c = client_builder().with_groups(&[HYBRID]);
    let (ce, se) = agree(c, server().with_groups(CLASSICAL)).await.unwrap_err();
    assert!(matches!(se, Error::NoCommonGroup { .. }), "{se}");
    assert_eq!(se.alert(), Some(AlertDescription::HandshakeFailure));
    assert!(
        matches!(ce, Error::AlertReceived(AlertDescription::HandshakeFailure)),
        "{ce}"
    );
}

/// TLS 1.2 cannot carry an ML-KEM share: a 1.2-only client leaves the
/// groups out of supported_groups and sends no key_share; a 1.2 handshake
/// between hybrid-first configs uses a classical group.
#[tokio::test]
async fn tls12_never_uses_an_ml_kem_group() {
    let v12 = [ProtocolVersion::TLSv1_2];
    let groups = [HYBRID, NamedGroup::MLKEM1024, NamedGroup::secp256r1];
    let ch = first_hello(
        client_builder()
            .with_groups(&groups)
            .with_protocol_versions(&v12),
    );
    assert_eq!(
        ch.extensions.supported_groups.as_deref(),
        Some(&[NamedGroup::secp256r1][..])
    );
    assert!(ch.extensions.key_shares.is_none());
    let c = client_builder()
        .with_groups(&groups)
        .with_protocol_versions(&v12);
    let s = server().with_groups(&groups).with_protocol_versions(&v12);
    assert_eq!(
        agree(c, s).await.unwrap(),
        Agreed {
            group: NamedGroup::secp256r1,
            retried: false
        }
    );
}

/// No key shares at all: the server's HelloRetryRequest picks (the hybrid).
#[tokio::test]
async fn empty_key_shares_leave_the_choice_to_a_retry() {
    let ch = first_hello(client_builder().with_key_shares(&[]));
    assert!(shares(&ch).is_empty());
    let got = agree(client_builder().with_key_shares(&[]), server())
        .await
        .unwrap();
    assert_eq!(
        got,
        Agreed {
            group: HYBRID,
            retried: true
        }
    );
}

#[test]
fn explicit_key_shares_are_sent_in_order() {
    let b = client_builder()
        .with_groups(&[NamedGroup::X25519, HYBRID, NamedGroup::secp256r1])
        .with_key_shares(&[NamedGroup::secp256r1, NamedGroup::X25519]);
    assert_eq!(
        shares(&first_hello(b)),
        [(NamedGroup::secp256r1, 65), (NamedGroup::X25519, 32)]
    );
}

/// A hint naming a group we have: one share, for our most preferred of
/// those it names; a hint naming none of ours changes nothing.
#[test]
fn server_groups_hint_predicts_one_share() {
    let hinted =
        |hint: &[NamedGroup]| shares(&first_hello(client_builder().with_server_groups_hint(hint)));
    assert_eq!(
        hinted(&[NamedGroup::secp384r1, NamedGroup::X25519]),
        [(NamedGroup::X25519, 32)]
    );
    assert_eq!(
        hinted(&[NamedGroup::Unknown(0x1234), NamedGroup::X448]),
        [(HYBRID, 1216), (NamedGroup::X25519, 32)]
    );
}

#[test]
fn groups_and_key_shares_must_be_known_and_listed_once() {
    let err = |b: ClientConfigBuilder| match b.build() {
        Err(Error::Config(m)) => m,
        other => panic!("expected a config error, got {other:?}"),
    };
    let m = err(client_builder().with_key_shares(&[NamedGroup::secp521r1]));
    assert!(m.contains("not one of the configured groups"), "{m}");
    let m = err(client_builder().with_key_shares(&[NamedGroup::X25519, NamedGroup::X25519]));
    assert!(m.contains("two key shares"), "{m}");
    let m = err(ClientConfig::builder()
        .with_root_store(roots())
        .with_groups(&[NamedGroup::X448]));
    assert!(m.contains("not supported"), "{m}");
    let m = err(client_builder().with_groups(&[HYBRID, NamedGroup::X25519, HYBRID]));
    assert!(m.contains("listed twice"), "{m}");
}
