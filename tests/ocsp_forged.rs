//! OCSP stapling messages no real server sends: our server's TLS 1.2 flight
//! edited between two sans-IO connections (its messages before
//! ChangeCipherSpec are plaintext), and a forged TLS 1.3 server flight. Each
//! refusal is asserted with its alert.

mod support;

use std::sync::Arc;

use lctls::config::{ClientConfig, ServerConfig};
use lctls::pki::OcspPolicy;
use lctls::proto::enums::{AlertDescription, ProtocolVersion};
use lctls::proto::Connection;
use lctls::unstable_internals::{CertificateMsg, Handshake12, HandshakeMessage, HandshakeType};
use support::forge::{
    assert_alert, empty_encrypted_extensions, forged_server_flight, handshake_record, records,
    with_extension,
};
use support::ocsp::{response, stapling_server, Signer, Status};
use support::{pem_certs, sans_io_client};

const TLS12: &[ProtocolVersion] = &[ProtocolVersion::TLSv1_2];

fn client12(policy: OcspPolicy) -> Arc<ClientConfig> {
    support::client_with(|b| b.with_protocol_versions(TLS12).with_ocsp_stapling(policy))
}

fn server12(staple: Option<Vec<u8>>) -> Arc<ServerConfig> {
    stapling_server(TLS12, staple)
}

/// The handshake messages (header included) of a plaintext record stream,
/// however the sender packed them into records.
fn messages(bytes: &[u8]) -> Vec<Vec<u8>> {
    let joined: Vec<u8> = records(bytes)
        .into_iter()
        .filter(|(t, _)| *t == 22)
        .flat_map(|(_, p)| p)
        .collect();
    let mut out = Vec::new();
    let mut rest = &joined[..];
    while rest.len() >= 4 {
        let len = u32::from_be_bytes([0, rest[1], rest[2], rest[3]]) as usize;
        out.push(rest[..4 + len].to_vec());
        rest = &rest[4 + len..];
    }
    out
}

/// Runs the client's ClientHello through our TLS 1.2 server, lets `edit`
/// change the server's first flight (one message per entry), and feeds the
/// result to the client; returns what the client made of it.
fn edited_flight(
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
    edit: impl FnOnce(&mut Vec<Vec<u8>>),
) -> Result<(), lctls::Error> {
    let mut c = sans_io_client(cc, "localhost");
    let mut s = Connection::new_server(sc);
    s.feed(&c.take_outgoing());
    s.process().expect("server reads the ClientHello");
    let mut flight = messages(&s.take_outgoing());
    edit(&mut flight);
    let bytes: Vec<u8> = flight.iter().flat_map(|m| handshake_record(m)).collect();
    c.feed(&bytes);
    c.process()
}

fn typ(m: &[u8]) -> HandshakeType {
    HandshakeType::from(m[0])
}

fn certificate_status(der: &[u8]) -> Vec<u8> {
    Handshake12::CertificateStatus(der.to_vec())
        .to_bytes()
        .unwrap()
}

#[test]
fn unmodified_flight_is_accepted() {
    let good = response(Status::Good, Signer::Issuer);
    edited_flight(client12(OcspPolicy::Require), server12(Some(good)), |f| {
        let types: Vec<_> = f.iter().map(|m| typ(m)).collect();
        assert_eq!(
            types,
            [
                HandshakeType::ServerHello,
                HandshakeType::Certificate,
                HandshakeType::CertificateStatus,
                HandshakeType::ServerKeyExchange,
                HandshakeType::ServerHelloDone
            ]
        );
    })
    .unwrap();
}

#[test]
fn unsolicited_certificate_status_is_unexpected_message() {
    let good = response(Status::Good, Signer::Issuer);
    // The client did not ask, so the server sent no ack: a
    // CertificateStatus has no place in the flight.
    let r = edited_flight(
        client12(OcspPolicy::Off),
        server12(Some(good.clone())),
        |f| {
            assert!(f.iter().all(|m| typ(m) != HandshakeType::CertificateStatus));
            f.insert(2, certificate_status(&good));
        },
    );
    assert_alert(r, AlertDescription::UnexpectedMessage);
}

#[test]
fn second_certificate_status_is_unexpected_message() {
    let good = response(Status::Good, Signer::Issuer);
    let r = edited_flight(
        client12(OcspPolicy::Allow),
        server12(Some(good.clone())),
        |f| f.insert(3, certificate_status(&good)),
    );
    assert_alert(r, AlertDescription::UnexpectedMessage);
}

#[test]
fn ack_without_a_staple_follows_the_policy() {
    let good = response(Status::Good, Signer::Issuer);
    let drop_status =
        |f: &mut Vec<Vec<u8>>| f.retain(|m| typ(m) != HandshakeType::CertificateStatus);
    // RFC 6066 section 8 lets a server that acknowledged send no
    // CertificateStatus after all: fine unless a staple is required.
    edited_flight(
        client12(OcspPolicy::Allow),
        server12(Some(good.clone())),
        drop_status,
    )
    .unwrap();
    let r = edited_flight(
        client12(OcspPolicy::Require),
        server12(Some(good)),
        drop_status,
    );
    let e = assert_alert(r, AlertDescription::BadCertificateStatusResponse);
    assert!(e.to_string().contains("stapled no OCSP response"), "{e}");
}

#[test]
fn unsolicited_status_request_ack_is_unsupported_extension() {
    let r = edited_flight(client12(OcspPolicy::Off), server12(None), |f| {
        f[0] = with_extension(&f[0], 5, &[]);
    });
    assert_alert(r, AlertDescription::UnsupportedExtension);
}

#[test]
fn status_request_ack_with_a_body_is_decode_error() {
    let r = edited_flight(client12(OcspPolicy::Allow), server12(None), |f| {
        f[0] = with_extension(&f[0], 5, &[1]);
    });
    assert_alert(r, AlertDescription::DecodeError);
}

#[test]
fn malformed_certificate_status_is_decode_error() {
    let good = response(Status::Good, Signer::Issuer);
    for body in [
        &[2u8, 0, 0, 1, 0x30][..],
        &[1, 0, 0, 0],
        &[1, 0, 0, 5, 0x30],
    ] {
        let r = edited_flight(
            client12(OcspPolicy::Allow),
            server12(Some(good.clone())),
            |f| {
                let mut m = vec![22];
                m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
                m.extend_from_slice(body);
                f[2] = m;
            },
        );
        assert_alert(r, AlertDescription::DecodeError);
    }
}

/// TLS 1.3: a status_request in the leaf's CertificateEntry that the client
/// did not ask for (RFC 8446 section 4.4.2: only extensions offered in the
/// ClientHello may appear there; section 4.2: unsupported_extension).
#[test]
fn unsolicited_tls13_entry_staple_is_unsupported_extension() {
    let good = response(Status::Good, Signer::Issuer);
    let cc = support::client_with(|b| b.with_protocol_versions(&[ProtocolVersion::TLSv1_3]));
    let mut c = sans_io_client(cc, "localhost");
    let mut cert = CertificateMsg::new(Vec::new(), pem_certs("server.pem"));
    cert.ocsp_response = Some(good);
    let cert = HandshakeMessage::Certificate(cert).to_bytes().unwrap();
    let flight = forged_server_flight(&c.take_outgoing(), &[empty_encrypted_extensions(), cert]);
    c.feed(&flight);
    assert_alert(c.process(), AlertDescription::UnsupportedExtension);
}

/// A TLS 1.2 ServerHello whose signed_certificate_timestamp list is empty or
/// holds an empty SCT: decode_error (RFC 6962 section 3.3: both are
/// <1..2^16-1>). Unasked for, the extension is unsupported_extension.
#[test]
fn malformed_or_unsolicited_tls12_sct_list_is_refused() {
    let asking = support::client_with(|b| {
        b.with_protocol_versions(TLS12)
            .with_signed_certificate_timestamps(true)
    });
    for bad in [&[0u8, 0][..], &[0, 6, 0, 2, 1, 2, 0, 0], &[]] {
        let r = edited_flight(asking.clone(), server12(None), |f| {
            f[0] = with_extension(&f[0], 18, bad);
        });
        assert_alert(r, AlertDescription::DecodeError);
    }
    let r = edited_flight(client12(OcspPolicy::Off), server12(None), |f| {
        f[0] = with_extension(&f[0], 18, &[0, 3, 0, 1, 9]);
    });
    assert_alert(r, AlertDescription::UnsupportedExtension);
}

/// TLS 1.3, asked for: an empty OCSPResponse in the leaf's status_request
/// is decode_error (RFC 6066 section 8: `OCSPResponse<1..2^24-1>`; BoGo
/// RejectEmptyOCSPResponse); a well-formed entry is taken.
#[test]
fn empty_tls13_entry_staple_is_decode_error() {
    let cc = support::client_with(|b| {
        b.with_protocol_versions(&[ProtocolVersion::TLSv1_3])
            .with_ocsp_stapling(OcspPolicy::Allow)
    });
    let flight_with = |staple: Vec<u8>| {
        let mut c = sans_io_client(cc.clone(), "localhost");
        let mut cert = CertificateMsg::new(Vec::new(), pem_certs("server.pem"));
        cert.ocsp_response = Some(staple);
        let cert = HandshakeMessage::Certificate(cert).to_bytes().unwrap();
        let flight =
            forged_server_flight(&c.take_outgoing(), &[empty_encrypted_extensions(), cert]);
        c.feed(&flight);
        c.process()
    };
    // The control: a real response is verified and the client then waits
    // for CertificateVerify.
    flight_with(response(Status::Good, Signer::Issuer)).expect("a good staple");
    assert_alert(flight_with(Vec::new()), AlertDescription::DecodeError);
}
