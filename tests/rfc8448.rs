//! RFC 8448 section 3 ("Simple 1-RTT Handshake": X25519,
//! TLS_AES_128_GCM_SHA256) known-answer test of the TLS 1.3 key schedule.
//!
//! Every hex constant below is transcribed from RFC 8448 section 3; the test
//! reads nothing from disk.

use aws_lc_rs::{aead, agreement, digest, error::Unspecified, hkdf};
use lctls::proto::enums::AlertDescription;
use lctls::unstable_internals::{
    derive_secret, hkdf_expand_label, resumption_psk, EarlySecret, HandshakeSecret, MasterSecret,
    Tls13CipherSuite, TrafficSecret, TLS13_AES_128_GCM_SHA256,
};
use lctls::Error;

static SUITE: &Tls13CipherSuite = &TLS13_AES_128_GCM_SHA256;

// ---- RFC 8448 section 3 values ---------------------------------------------

const CLIENT_EPHEMERAL_X25519_PRIVATE: &str =
    "49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005";
const CLIENT_EPHEMERAL_X25519_PUBLIC: &str =
    "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c";
const SERVER_EPHEMERAL_X25519_PRIVATE: &str =
    "b1580eeadf6dd589b8ef4f2d5652578cc810e9980191ec8d058308cea216a21e";
const SERVER_EPHEMERAL_X25519_PUBLIC: &str =
    "c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f";
const CLIENT_HELLO_MESSAGE: &str = "\
    010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece70000\
    06130113031302010000910000000b0009000006736572766572ff01000100000a00140012001d00\
    17001800190100010101020103010400230000003300260024001d002099381de560e4bd43d23d8e\
    435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603\
    020308040805080604010501060102010402050206020202002d00020101001c00024001";
const SERVER_HELLO_MESSAGE: &str = "\
    020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e269280013\
    0100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b0\
    4e751f0f002b00020304";
const ENCRYPTED_EXTENSIONS_MESSAGE: &str =
    "080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000";
const SERVER_CERTIFICATE_MESSAGE: &str = "\
    0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b\
    0500300e310c300a06035504031303727361301e170d3136303733303031323335395a170d323630\
    3733303031323335395a300e310c300a0603550403130372736130819f300d06092a864886f70d01\
    0101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826\
    d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187a80ee0cc\
    b0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d0\
    3e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304\
    023000300b0603551d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5\
    b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a58c8f8172f9319cf3\
    6b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1fc63a42a99be5c3e\
    b7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b4\
    2b4de10000";
const SERVER_CERTIFICATE_VERIFY_MESSAGE: &str = "\
    0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b\
    0b7abc90db78e2d33a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee51\
    1f602957b15411ac027671459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e\
    063dda65cdf5aea20d53dfacd42f74f3";
const SERVER_FINISHED_MESSAGE: &str =
    "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718";
const CLIENT_FINISHED_MESSAGE: &str =
    "14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61";
const NEW_SESSION_TICKET_MESSAGE: &str = "\
    040000c90000001efad6aac502000000b22c035d829359ee5ff7af4ec900000000262a6494dc486d\
    2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a982117283f82a03a1\
    43efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3664d4e6da4d29ee03725a6a4dafc\
    d0fc67d2aea70529513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5aea61764\
    6fac5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093934ae4d3570008002a00\
    0400000400";
const EARLY_SECRET: &str = "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a";
const DERIVED_SECRET_FOR_HANDSHAKE: &str =
    "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba";
const ECDHE_SHARED_SECRET: &str =
    "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d";
const HANDSHAKE_SECRET: &str = "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac";
const CLIENT_HANDSHAKE_TRAFFIC_SECRET_TRANSCRIPT_HASH: &str =
    "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8";
const CLIENT_HANDSHAKE_TRAFFIC_SECRET: &str =
    "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";
const SERVER_HANDSHAKE_TRAFFIC_SECRET: &str =
    "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
const DERIVED_SECRET_FOR_MASTER: &str =
    "43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4";
const MASTER_SECRET: &str = "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919";
const SERVER_HANDSHAKE_WRITE_KEY: &str = "3fce516009c21727d0f2e4e86ee403bc";
const SERVER_HANDSHAKE_WRITE_IV: &str = "5d313eb2671276ee13000b30";
const CLIENT_HANDSHAKE_WRITE_KEY: &str = "dbfaa693d1762c5b666af5d950258d01";
const CLIENT_HANDSHAKE_WRITE_IV: &str = "5bd3c71b836e0b76bb73265f";
const SERVER_FINISHED_KEY: &str =
    "008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8";
const SERVER_FINISHED_VERIFY_DATA: &str =
    "9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718";
const CLIENT_FINISHED_KEY: &str =
    "b80ad01015fb2f0bd65ff7d4da5d6bf83f84821d1f87fdc7d3c75b5a7b42d9c4";
const CLIENT_FINISHED_VERIFY_DATA: &str =
    "a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61";
const CLIENT_APPLICATION_TRAFFIC_SECRET_0_TRANSCRIPT_HASH: &str =
    "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13";
const CLIENT_APPLICATION_TRAFFIC_SECRET_0: &str =
    "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";
const SERVER_APPLICATION_TRAFFIC_SECRET_0: &str =
    "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";
const EXPORTER_MASTER_SECRET: &str =
    "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50";
const SERVER_APPLICATION_WRITE_KEY: &str = "9f02283b6c9c07efc26bb9f2ac92e356";
const SERVER_APPLICATION_WRITE_IV: &str = "cf782b88dd83549aadf1e984";
const CLIENT_APPLICATION_WRITE_KEY: &str = "17422dda596ed5d9acd890e3c63f5051";
const CLIENT_APPLICATION_WRITE_IV: &str = "5b78923dee08579033e523d9";
const RESUMPTION_MASTER_SECRET_TRANSCRIPT_HASH: &str =
    "209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d";
const RESUMPTION_MASTER_SECRET: &str =
    "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c";
const RESUMPTION_PSK_TICKET_NONCE: &str = "0000";
const RESUMPTION_PSK: &str = "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3";
const SERVER_ENCRYPTED_HANDSHAKE_RECORD: &str = "\
    17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40a\
    a2b8ea73f848a7ca07612ef9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f5261\
    34aadc7fc78c4b729df828b5ecf7b13bd9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183e\
    f3ab20e37d57a6b9d7477609aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2e\
    d65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd610928d809810e4b7ed1a\
    8fd991f06aa6248204797e36a6a73b70a2559c09ead686945ba246ab66e5edd8044b4c6de3fcf2a8\
    9441ac66272fd8fb330ef8190579b3684596c960bd596eea520a56a8d650f563aad27409960dca63\
    d3e688611ea5e22f4415cf9538d51a200c27034272968a264ed6540c84838d89f72c24461aad6d26\
    f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b659622245317b49eeda0c6258f1\
    00d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af36879018e3f252107f24\
    3d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7c\
    ca71e4599426f7d461e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe\
    5a37668936b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb992f2b992f67f8af\
    e67f76913fa388cb5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10dc35ae69f5515614\
    636c0b9b68c19ed2e31c0b3b66763038ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f\
    60f0504de93b5b845e275592c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5\
    d2af939828fd4ae3794e44f94df5a631ede42c1719bfdabf0253fe5175be898e750edc53370d2b";
const CLIENT_ENCRYPTED_HANDSHAKE_RECORD: &str = "\
    170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac\
    98fc46deb384bd1caeacab6867d726c40546";
const NEW_SESSION_TICKET_RECORD: &str = "\
    17030300de3a6b8f90414a97d6959c3487680de5134a2b240e6cffac116e95d41d6af8f6b580dcf3\
    d11d63c758db289a015940252f55713e061dc13e078891a38efbcf5753ad8ef170ad3c7353d16d9d\
    a773b9ca7f2b9fa1b6c0d4a3d03f75e09c30ba1e62972ac46f75f7b981be63439b2999ce13064615\
    139891d5e4c5b406f16e3fc181a77ca475840025db2f0a77f81b5ab05b94c01346755f69232c8651\
    9d86cbeeac87aac347d143f9605d64f650db4d023e70e952ca49fe5137121c74bc2697687e248746\
    d6df353005f3bce18696129c8153556b3b6c6779b37bf15985684f";
/// The application data both sides send (RFC 8448 prints it twice, once per
/// direction, with the same 50 bytes).
const APPLICATION_DATA_PAYLOAD: &str = "\
    000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627\
    28292a2b2c2d2e2f3031";
const CLIENT_APPLICATION_DATA_RECORD: &str = "\
    1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b39\
    5bd54a9a20441e2b62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4";
const SERVER_APPLICATION_DATA_RECORD: &str = "\
    17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6df\
    fc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d";

/// HkdfLabel("derived", Hash("")): the same for the handshake and the master
/// secret (RFC 8448 prints it at both).
const DERIVED_HKDF_LABEL: &str = "\
    00200d746c733133206465726976656420e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b93\
    4ca495991b7852b855";
const CLIENT_HANDSHAKE_TRAFFIC_SECRET_HKDF_LABEL: &str = "\
    002012746c7331332063206873207472616666696320860c06edc07858ee8e78f0e7428c58edd6b4\
    3f2ca3e6e95f02ed063cf0e1cad8";
const SERVER_HANDSHAKE_TRAFFIC_SECRET_HKDF_LABEL: &str = "\
    002012746c7331332073206873207472616666696320860c06edc07858ee8e78f0e7428c58edd6b4\
    3f2ca3e6e95f02ed063cf0e1cad8";
/// The key, iv and finished labels have no context: one each for every
/// traffic secret of the trace.
const WRITE_KEY_HKDF_LABEL: &str = "001009746c733133206b657900";
const WRITE_IV_HKDF_LABEL: &str = "000c08746c73313320697600";
const FINISHED_KEY_HKDF_LABEL: &str = "00200e746c7331332066696e697368656400";
const CLIENT_APPLICATION_TRAFFIC_SECRET_0_HKDF_LABEL: &str = "\
    002012746c73313320632061702074726166666963209608102a0f1ccc6db6250b7b7e417b1a000e\
    aada3daae4777a7686c9ff83df13";
const SERVER_APPLICATION_TRAFFIC_SECRET_0_HKDF_LABEL: &str = "\
    002012746c73313320732061702074726166666963209608102a0f1ccc6db6250b7b7e417b1a000e\
    aada3daae4777a7686c9ff83df13";
const EXPORTER_MASTER_SECRET_HKDF_LABEL: &str = "\
    002010746c73313320657870206d6173746572209608102a0f1ccc6db6250b7b7e417b1a000eaada\
    3daae4777a7686c9ff83df13";
const RESUMPTION_MASTER_SECRET_HKDF_LABEL: &str = "\
    002010746c73313320726573206d617374657220209145a96ee8e2a122ff810047cc952684658d60\
    49e86429426db87c54ad143d";
const RESUMPTION_PSK_HKDF_LABEL: &str = "002010746c73313320726573756d7074696f6e020000";

// ---- helpers ---------------------------------------------------------------

fn h(hex: &str) -> Vec<u8> {
    assert_eq!(hex.len() % 2, 0, "odd-length hex");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("bad hex"))
        .collect()
}

fn sha256(parts: &[&str]) -> Vec<u8> {
    let mut ctx = digest::Context::new(&digest::SHA256);
    for p in parts {
        ctx.update(&h(p));
    }
    ctx.finish().as_ref().to_vec()
}

#[track_caller]
fn check(what: &str, got: &[u8], want_hex: &str) {
    assert_eq!(got, &h(want_hex)[..], "{what} differs from RFC 8448");
}

fn empty_hash() -> Vec<u8> {
    digest::digest(&digest::SHA256, b"").as_ref().to_vec()
}

/// Transcript hashes at the points the key schedule needs them.
struct Transcripts {
    /// ClientHello..ServerHello
    hello: Vec<u8>,
    /// ClientHello..CertificateVerify (server Finished input)
    server_finished: Vec<u8>,
    /// ClientHello..server Finished (application secrets, client Finished input)
    app: Vec<u8>,
    /// ClientHello..client Finished (resumption master secret)
    resumption: Vec<u8>,
}

fn transcripts() -> Transcripts {
    let mut msgs = vec![CLIENT_HELLO_MESSAGE, SERVER_HELLO_MESSAGE];
    let hello = sha256(&msgs);
    msgs.extend([
        ENCRYPTED_EXTENSIONS_MESSAGE,
        SERVER_CERTIFICATE_MESSAGE,
        SERVER_CERTIFICATE_VERIFY_MESSAGE,
    ]);
    let server_finished = sha256(&msgs);
    msgs.push(SERVER_FINISHED_MESSAGE);
    let app = sha256(&msgs);
    msgs.push(CLIENT_FINISHED_MESSAGE);
    let resumption = sha256(&msgs);
    Transcripts {
        hello,
        server_finished,
        app,
        resumption,
    }
}

/// X25519 shared secret from the client's private key and the server's share.
fn x25519_shared_secret(my_private: &str, my_public: &str, peer_public: &str) -> Vec<u8> {
    let private =
        agreement::PrivateKey::from_private_key(&agreement::X25519, &h(my_private)).unwrap();
    let public = private.compute_public_key().unwrap();
    check("X25519 public key", public.as_ref(), my_public);
    agreement::agree(
        &private,
        agreement::UnparsedPublicKey::new(&agreement::X25519, h(peer_public)),
        Unspecified,
        |s| Ok(s.to_vec()),
    )
    .unwrap()
}

fn handshake_secret() -> HandshakeSecret {
    let shared = x25519_shared_secret(
        CLIENT_EPHEMERAL_X25519_PRIVATE,
        CLIENT_EPHEMERAL_X25519_PUBLIC,
        SERVER_EPHEMERAL_X25519_PUBLIC,
    );
    EarlySecret::new(SUITE, None).into_handshake(&shared)
}

fn master_secret() -> MasterSecret {
    handshake_secret().into_master()
}

fn server_handshake_traffic_secret() -> TrafficSecret {
    handshake_secret().server_handshake_traffic_secret(&transcripts().hello)
}

fn client_handshake_traffic_secret() -> TrafficSecret {
    handshake_secret().client_handshake_traffic_secret(&transcripts().hello)
}

/// Opens one TLS 1.3 record and returns the TLSInnerPlaintext (content
/// followed by the content type byte).
fn open_record(secret: &TrafficSecret, seq: u64, record_hex: &str) -> Vec<u8> {
    let keys = secret.keys();
    let key = aead::LessSafeKey::new(
        aead::UnboundKey::new(secret.suite().aead, keys.key.as_bytes()).unwrap(),
    );
    let record = h(record_hex);
    let (header, body) = record.split_at(5);
    let mut body = body.to_vec();
    let plain = key
        .open_in_place(keys.iv.nonce(seq), aead::Aad::from(header), &mut body)
        .expect("record decrypts with the derived key and IV");
    plain.to_vec()
}

fn with_type(content_hex: &str, content_type: u8) -> Vec<u8> {
    let mut v = h(content_hex);
    v.push(content_type);
    v
}

// ---- tests -----------------------------------------------------------------

#[test]
fn x25519_shared_secret_matches() {
    // Each side's private key with the other's share gives the same secret.
    for (side, private, public, peer) in [
        (
            "client",
            CLIENT_EPHEMERAL_X25519_PRIVATE,
            CLIENT_EPHEMERAL_X25519_PUBLIC,
            SERVER_EPHEMERAL_X25519_PUBLIC,
        ),
        (
            "server",
            SERVER_EPHEMERAL_X25519_PRIVATE,
            SERVER_EPHEMERAL_X25519_PUBLIC,
            CLIENT_EPHEMERAL_X25519_PUBLIC,
        ),
    ] {
        check(
            &format!("ecdhe_shared_secret ({side})"),
            &x25519_shared_secret(private, public, peer),
            ECDHE_SHARED_SECRET,
        );
    }
}

#[test]
fn transcript_hashes_match() {
    let t = transcripts();
    check(
        "ClientHello..ServerHello hash",
        &t.hello,
        CLIENT_HANDSHAKE_TRAFFIC_SECRET_TRANSCRIPT_HASH,
    );
    check(
        "ClientHello..server Finished hash",
        &t.app,
        CLIENT_APPLICATION_TRAFFIC_SECRET_0_TRANSCRIPT_HASH,
    );
    check(
        "ClientHello..client Finished hash",
        &t.resumption,
        RESUMPTION_MASTER_SECRET_TRANSCRIPT_HASH,
    );
}

#[test]
fn key_schedule_secrets_match() {
    let t = transcripts();

    let early = EarlySecret::new(SUITE, None);
    check("early_secret", early.as_bytes(), EARLY_SECRET);
    let derived = derive_secret(SUITE, early.as_bytes(), b"derived", &empty_hash());
    check(
        "derived_secret_for_handshake",
        derived.as_bytes(),
        DERIVED_SECRET_FOR_HANDSHAKE,
    );

    let hs = early.into_handshake(&h(ECDHE_SHARED_SECRET));
    check("handshake_secret", hs.as_bytes(), HANDSHAKE_SECRET);
    check(
        "client_handshake_traffic_secret",
        hs.client_handshake_traffic_secret(&t.hello).secret_bytes(),
        CLIENT_HANDSHAKE_TRAFFIC_SECRET,
    );
    check(
        "server_handshake_traffic_secret",
        hs.server_handshake_traffic_secret(&t.hello).secret_bytes(),
        SERVER_HANDSHAKE_TRAFFIC_SECRET,
    );
    let derived = derive_secret(SUITE, hs.as_bytes(), b"derived", &empty_hash());
    check(
        "derived_secret_for_master",
        derived.as_bytes(),
        DERIVED_SECRET_FOR_MASTER,
    );

    let ms = hs.into_master();
    check("master_secret", ms.as_bytes(), MASTER_SECRET);
    check(
        "client_application_traffic_secret_0",
        ms.client_application_traffic_secret_0(&t.app)
            .secret_bytes(),
        CLIENT_APPLICATION_TRAFFIC_SECRET_0,
    );
    check(
        "server_application_traffic_secret_0",
        ms.server_application_traffic_secret_0(&t.app)
            .secret_bytes(),
        SERVER_APPLICATION_TRAFFIC_SECRET_0,
    );
    check(
        "exporter_master_secret",
        ms.exporter_master_secret(&t.app).as_bytes(),
        EXPORTER_MASTER_SECRET,
    );
    let rms = ms.resumption_master_secret(&t.resumption);
    check(
        "resumption_master_secret",
        rms.as_bytes(),
        RESUMPTION_MASTER_SECRET,
    );

    // The ticket nonce, read out of the NewSessionTicket message:
    // type(1) length(3) ticket_lifetime(4) ticket_age_add(4) nonce<0..255>.
    let nst = h(NEW_SESSION_TICKET_MESSAGE);
    assert_eq!(nst[0], 4, "NewSessionTicket");
    let nonce_len = usize::from(nst[12]);
    let nonce = &nst[13..13 + nonce_len];
    check("ticket_nonce", nonce, RESUMPTION_PSK_TICKET_NONCE);
    check(
        "resumption_psk",
        resumption_psk(SUITE, &rms, nonce).as_bytes(),
        RESUMPTION_PSK,
    );
}

#[test]
fn traffic_keys_match() {
    let t = transcripts();
    let ms = master_secret();
    let cases = [
        (
            "server handshake",
            server_handshake_traffic_secret(),
            SERVER_HANDSHAKE_WRITE_KEY,
            SERVER_HANDSHAKE_WRITE_IV,
        ),
        (
            "client handshake",
            client_handshake_traffic_secret(),
            CLIENT_HANDSHAKE_WRITE_KEY,
            CLIENT_HANDSHAKE_WRITE_IV,
        ),
        (
            "server application",
            ms.server_application_traffic_secret_0(&t.app),
            SERVER_APPLICATION_WRITE_KEY,
            SERVER_APPLICATION_WRITE_IV,
        ),
        (
            "client application",
            ms.client_application_traffic_secret_0(&t.app),
            CLIENT_APPLICATION_WRITE_KEY,
            CLIENT_APPLICATION_WRITE_IV,
        ),
    ];
    for (what, secret, key, iv) in cases {
        let keys = secret.keys();
        check(&format!("{what} write key"), keys.key.as_bytes(), key);
        check(&format!("{what} write iv"), keys.iv.as_bytes(), iv);
    }
}

#[test]
fn finished_matches() {
    let t = transcripts();
    // The server's Finished covers ClientHello..CertificateVerify, the
    // client's ClientHello..server Finished.
    let sides = [
        (
            "server",
            server_handshake_traffic_secret(),
            &t.server_finished,
            SERVER_FINISHED_KEY,
            SERVER_FINISHED_VERIFY_DATA,
            SERVER_FINISHED_MESSAGE,
        ),
        (
            "client",
            client_handshake_traffic_secret(),
            &t.app,
            CLIENT_FINISHED_KEY,
            CLIENT_FINISHED_VERIFY_DATA,
            CLIENT_FINISHED_MESSAGE,
        ),
    ];
    for (side, secret, transcript, key, verify_data, message) in sides {
        // The finished key, through the public HKDF-Expand-Label.
        let mut fk = [0u8; 32];
        hkdf_expand_label(SUITE, secret.secret_bytes(), b"finished", &[], &mut fk).unwrap();
        check(&format!("{side} finished_key"), &fk, key);

        let vd = secret.finished_verify_data(transcript);
        check(&format!("{side} Finished verify_data"), &vd, verify_data);
        check(&format!("{side} Finished message body"), &vd, &message[8..]);
        secret
            .verify_finished(transcript, &h(verify_data))
            .unwrap_or_else(|e| panic!("the trace's {side} Finished does not verify: {e}"));
    }
}

fn assert_decrypt_error(result: Result<(), Error>) {
    let err = result.expect_err("a wrong verify_data must be rejected");
    assert_eq!(err.alert(), Some(AlertDescription::DecryptError), "{err}");
    assert!(
        matches!(&err, Error::Protocol { reason, .. } if reason.contains("Finished")),
        "{err}"
    );
}

#[test]
fn verify_finished_rejects_a_flipped_bit() {
    let t = transcripts();
    let server = server_handshake_traffic_secret();
    let good = h(SERVER_FINISHED_VERIFY_DATA);
    for (byte, bit) in [(0, 0), (13, 5), (31, 7)] {
        let mut bad = good.clone();
        bad[byte] ^= 1 << bit;
        assert_decrypt_error(server.verify_finished(&t.server_finished, &bad));
    }
    // Truncated, extended and empty verify_data are refused too, as
    // decode_error: a Finished of the wrong length is malformed (issue 10's
    // policy; RFC 8446 sections 4.4.4 and 6.2).
    let mut longer = good.clone();
    longer.push(0);
    for data in [&good[..31], &longer[..], &[]] {
        assert_eq!(
            server.verify_finished(&t.server_finished, data),
            Err(Error::decode(format!(
                "Finished of {} bytes; the suite's hash gives 32",
                data.len()
            )))
        );
    }
    // Right data, wrong transcript; right data, wrong direction's key.
    assert_decrypt_error(server.verify_finished(&t.app, &good));
    assert_decrypt_error(
        client_handshake_traffic_secret().verify_finished(&t.server_finished, &good),
    );
    // The client's Finished with one bit flipped.
    let mut bad = h(CLIENT_FINISHED_VERIFY_DATA);
    bad[0] ^= 0x80;
    assert_decrypt_error(client_handshake_traffic_secret().verify_finished(&t.app, &bad));
}

/// (what, HkdfLabel hex, secret hex, bare label, context, expected output hex)
type LabelCase<'a> = (&'a str, &'a str, &'a str, &'a [u8], &'a [u8], &'a str);

/// Each HkdfLabel of the trace, fed as `info` to a plain HKDF-Expand, gives
/// the same bytes as `hkdf_expand_label` with the bare label and context:
/// this checks the label encoding byte for byte.
#[test]
fn hkdf_labels_match() {
    let t = transcripts();
    let eh = empty_hash();
    let no = &[][..];
    let nonce = h(RESUMPTION_PSK_TICKET_NONCE);
    #[rustfmt::skip]
    let cases: [LabelCase; 19] = [
        ("derived (handshake)", DERIVED_HKDF_LABEL, EARLY_SECRET, b"derived", &eh, DERIVED_SECRET_FOR_HANDSHAKE),
        ("c hs traffic", CLIENT_HANDSHAKE_TRAFFIC_SECRET_HKDF_LABEL, HANDSHAKE_SECRET, b"c hs traffic", &t.hello, CLIENT_HANDSHAKE_TRAFFIC_SECRET),
        ("s hs traffic", SERVER_HANDSHAKE_TRAFFIC_SECRET_HKDF_LABEL, HANDSHAKE_SECRET, b"s hs traffic", &t.hello, SERVER_HANDSHAKE_TRAFFIC_SECRET),
        ("derived (master)", DERIVED_HKDF_LABEL, HANDSHAKE_SECRET, b"derived", &eh, DERIVED_SECRET_FOR_MASTER),
        ("server hs key", WRITE_KEY_HKDF_LABEL, SERVER_HANDSHAKE_TRAFFIC_SECRET, b"key", no, SERVER_HANDSHAKE_WRITE_KEY),
        ("server hs iv", WRITE_IV_HKDF_LABEL, SERVER_HANDSHAKE_TRAFFIC_SECRET, b"iv", no, SERVER_HANDSHAKE_WRITE_IV),
        ("server finished", FINISHED_KEY_HKDF_LABEL, SERVER_HANDSHAKE_TRAFFIC_SECRET, b"finished", no, SERVER_FINISHED_KEY),
        ("c ap traffic", CLIENT_APPLICATION_TRAFFIC_SECRET_0_HKDF_LABEL, MASTER_SECRET, b"c ap traffic", &t.app, CLIENT_APPLICATION_TRAFFIC_SECRET_0),
        ("s ap traffic", SERVER_APPLICATION_TRAFFIC_SECRET_0_HKDF_LABEL, MASTER_SECRET, b"s ap traffic", &t.app, SERVER_APPLICATION_TRAFFIC_SECRET_0),
        ("exp master", EXPORTER_MASTER_SECRET_HKDF_LABEL, MASTER_SECRET, b"exp master", &t.app, EXPORTER_MASTER_SECRET),
        ("server ap key", WRITE_KEY_HKDF_LABEL, SERVER_APPLICATION_TRAFFIC_SECRET_0, b"key", no, SERVER_APPLICATION_WRITE_KEY),
        ("server ap iv", WRITE_IV_HKDF_LABEL, SERVER_APPLICATION_TRAFFIC_SECRET_0, b"iv", no, SERVER_APPLICATION_WRITE_IV),
        ("client hs key", WRITE_KEY_HKDF_LABEL, CLIENT_HANDSHAKE_TRAFFIC_SECRET, b"key", no, CLIENT_HANDSHAKE_WRITE_KEY),
        ("client hs iv", WRITE_IV_HKDF_LABEL, CLIENT_HANDSHAKE_TRAFFIC_SECRET, b"iv", no, CLIENT_HANDSHAKE_WRITE_IV),
        ("client finished", FINISHED_KEY_HKDF_LABEL, CLIENT_HANDSHAKE_TRAFFIC_SECRET, b"finished", no, CLIENT_FINISHED_KEY),
        ("client ap key", WRITE_KEY_HKDF_LABEL, CLIENT_APPLICATION_TRAFFIC_SECRET_0, b"key", no, CLIENT_APPLICATION_WRITE_KEY),
        ("client ap iv", WRITE_IV_HKDF_LABEL, CLIENT_APPLICATION_TRAFFIC_SECRET_0, b"iv", no, CLIENT_APPLICATION_WRITE_IV),
        ("res master", RESUMPTION_MASTER_SECRET_HKDF_LABEL, MASTER_SECRET, b"res master", &t.resumption, RESUMPTION_MASTER_SECRET),
        ("resumption", RESUMPTION_PSK_HKDF_LABEL, RESUMPTION_MASTER_SECRET, b"resumption", &nonce, RESUMPTION_PSK),
    ];
    struct Len(usize);
    impl hkdf::KeyType for Len {
        fn len(&self) -> usize {
            self.0
        }
    }
    for (what, label_hex, secret_hex, label, context, expected_hex) in cases {
        let info = h(label_hex);
        let len = h(expected_hex).len();
        assert_eq!(
            usize::from(u16::from_be_bytes([info[0], info[1]])),
            len,
            "{what}: HkdfLabel length"
        );
        let mut ours = vec![0u8; len];
        hkdf_expand_label(SUITE, &h(secret_hex), label, context, &mut ours).unwrap();
        check(&format!("{what}: hkdf_expand_label"), &ours, expected_hex);

        let prk = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, &h(secret_hex));
        let mut plain = vec![0u8; len];
        prk.expand(&[&info], Len(len))
            .unwrap()
            .fill(&mut plain)
            .unwrap();
        check(
            &format!("{what}: HKDF-Expand(HkdfLabel)"),
            &plain,
            expected_hex,
        );
    }
}

/// The derived keys and IVs open the trace's protected records (which also
/// checks the per-record nonce construction).
#[test]
fn derived_keys_open_the_trace_records() {
    let t = transcripts();
    let ms = master_secret();
    assert_eq!(
        open_record(
            &server_handshake_traffic_secret(),
            0,
            SERVER_ENCRYPTED_HANDSHAKE_RECORD
        ),
        // RFC 8448 prints this payload too: it is exactly the four messages.
        with_type(
            &[
                ENCRYPTED_EXTENSIONS_MESSAGE,
                SERVER_CERTIFICATE_MESSAGE,
                SERVER_CERTIFICATE_VERIFY_MESSAGE,
                SERVER_FINISHED_MESSAGE,
            ]
            .concat(),
            0x16
        )
    );
    assert_eq!(
        open_record(
            &client_handshake_traffic_secret(),
            0,
            CLIENT_ENCRYPTED_HANDSHAKE_RECORD
        ),
        with_type(CLIENT_FINISHED_MESSAGE, 0x16)
    );
    let server_app = ms.server_application_traffic_secret_0(&t.app);
    assert_eq!(
        open_record(&server_app, 0, NEW_SESSION_TICKET_RECORD),
        with_type(NEW_SESSION_TICKET_MESSAGE, 0x16)
    );
    assert_eq!(
        open_record(&server_app, 1, SERVER_APPLICATION_DATA_RECORD),
        with_type(APPLICATION_DATA_PAYLOAD, 0x17)
    );
    let client_app = ms.client_application_traffic_secret_0(&t.app);
    assert_eq!(
        open_record(&client_app, 0, CLIENT_APPLICATION_DATA_RECORD),
        with_type(APPLICATION_DATA_PAYLOAD, 0x17)
    );
}

/// RFC 8448 section 3 has no KeyUpdate; check what can be checked: next()
/// is deterministic, is HKDF-Expand-Label(., "traffic upd", ""), and yields
/// keys that no longer open the records of the previous generation.
#[test]
fn key_update_is_deterministic() {
    let t = transcripts();
    let a0 = master_secret().client_application_traffic_secret_0(&t.app);
    let a1 = a0.next();
    let a1_again = master_secret()
        .client_application_traffic_secret_0(&t.app)
        .next();
    assert_eq!(a1.secret_bytes(), a1_again.secret_bytes());
    let mut manual = [0u8; 32];
    hkdf_expand_label(SUITE, a0.secret_bytes(), b"traffic upd", &[], &mut manual).unwrap();
    assert_eq!(a1.secret_bytes(), &manual[..]);
    assert_ne!(a1.secret_bytes(), a0.secret_bytes());
    assert_ne!(a1.next().secret_bytes(), a1.secret_bytes());

    let keys = a1.keys();
    let key =
        aead::LessSafeKey::new(aead::UnboundKey::new(SUITE.aead, keys.key.as_bytes()).unwrap());
    let record = h(CLIENT_APPLICATION_DATA_RECORD);
    let mut body = record[5..].to_vec();
    assert!(key
        .open_in_place(keys.iv.nonce(0), aead::Aad::from(&record[..5]), &mut body)
        .is_err());
}

#[test]
fn secrets_do_not_print() {
    let secret = server_handshake_traffic_secret();
    let printed = format!(
        "{secret:?} {:?} {:?} {:?}",
        secret.keys(),
        handshake_secret(),
        master_secret()
    );
    assert!(printed.contains("redacted"), "{printed}");
    for needle in [
        &SERVER_HANDSHAKE_TRAFFIC_SECRET[..8],
        &SERVER_HANDSHAKE_WRITE_KEY[..8],
        &HANDSHAKE_SECRET[..8],
        &MASTER_SECRET[..8],
    ] {
        assert!(!printed.contains(needle), "{printed}");
    }
    let first = h(SERVER_HANDSHAKE_TRAFFIC_SECRET)[0];
    assert!(!printed.contains(&format!("[{first},")), "{printed}");
}
