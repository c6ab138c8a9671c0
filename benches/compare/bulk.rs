//! Bulk transfer figures: throughput per suite over duplex and TCP, both
//! directions, beside the AEAD limit; full duplex over split streams; reads
//! into uninitialised space.

use super::*;

/// Moves `n` bytes from `w` to `r` in 64 KiB writes and returns the time until
/// the reader has all of them. Then closes and checks that nothing else arrives.
async fn transfer<W, R>(mut w: W, mut r: R, n: u64) -> Duration
where
    W: AsyncWrite + Unpin,
    R: AsyncRead + Unpin,
{
    let chunk = vec![0xa5u8; WRITE];
    let mut buf = vec![0u8; WRITE];
    let start = Instant::now();
    let (wrote, got) = tokio::join!(
        async {
            let mut left = n;
            while left > 0 {
                let k = left.min(WRITE as u64) as usize;
                w.write_all(&chunk[..k]).await?;
                left -= k as u64;
            }
            w.flush().await
        },
        async {
            let mut got = 0u64;
            while got < n {
                let k = r.read(&mut buf).await?;
                if k == 0 {
                    break;
                }
                got += k as u64;
            }
            io::Result::Ok(got)
        }
    );
    let elapsed = start.elapsed();
    wrote.expect("writer failed");
    let got = got.expect("reader failed");
    assert_eq!(got, n, "reader got {got} bytes, expected {n}");
    let (closed, rest) = tokio::join!(w.shutdown(), async {
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).await.map(|_| rest.len())
    });
    closed.expect("shutdown");
    assert_eq!(rest.expect("read after close"), 0, "extra bytes after {n}");
    elapsed
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    C2S,
    S2C,
}

async fn bulk_over<IO>(lib: Option<Lib>, c: &Configs, a: IO, b: IO, dir: Dir, n: u64) -> Duration
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    match (lib, dir) {
        (None, Dir::C2S) => transfer(a, b, n).await,
        (None, Dir::S2C) => transfer(b, a, n).await,
        (Some(Lib::Lctls), d) => {
            let (x, y) = lctls_pair(c, a, b).await;
            if d == Dir::C2S {
                transfer(x, y, n).await
            } else {
                transfer(y, x, n).await
            }
        }
        (Some(Lib::Rustls), d) => {
            let (x, y) = rustls_pair(c, a, b).await;
            if d == Dir::C2S {
                transfer(x, y, n).await
            } else {
                transfer(y, x, n).await
            }
        }
    }
}

/// Full duplex over loopback TCP: each end writes `n` bytes and reads the
/// peer's `n` at once, its reading and writing halves on two tasks of a
/// two-worker runtime. MB/s counts both directions together. Figures:
/// `split_duplex_tcp_into_split` (lctls `into_split_tcp`: no lock at all)
/// and `split_duplex_tcp_io_split` (lctls with `tokio::io::split`, a lock on
/// the whole TLS stream), both beside tokio-rustls with `tokio::io::split`
/// (its only way to split); limit: plain TCP split the same way.
fn split_duplex_rows(p: &Params, c: &Configs, rows: &mut Vec<Row>) {
    type Half = (
        Box<dyn AsyncRead + Send + Unpin>,
        Box<dyn AsyncWrite + Send + Unpin>,
    );
    fn boxed<R, W>((r, w): (R, W)) -> Half
    where
        R: AsyncRead + Send + Unpin + 'static,
        W: AsyncWrite + Send + Unpin + 'static,
    {
        (Box::new(r), Box::new(w))
    }
    /// Both ends at once; returns MB/s of the bytes moved both ways.
    async fn both_ways(a: Half, b: Half, n: u64) -> f64 {
        async fn write(mut w: Box<dyn AsyncWrite + Send + Unpin>, n: u64) {
            let chunk = vec![0xa5u8; WRITE];
            let mut left = n;
            while left > 0 {
                let k = left.min(WRITE as u64) as usize;
                w.write_all(&chunk[..k]).await.expect("duplex write");
                left -= k as u64;
            }
            w.flush().await.expect("flush");
            // Dropped only once the reader is done: a dropped half closes nothing
            // of the peer's direction, but keep the transport whole meanwhile.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        async fn read(mut r: Box<dyn AsyncRead + Send + Unpin>, n: u64) {
            let mut buf = vec![0u8; WRITE];
            let mut got = 0u64;
            while got < n {
                let k = r.read(&mut buf).await.expect("duplex read");
                assert!(k > 0, "early end after {got} bytes");
                got += k as u64;
            }
        }
        let start = Instant::now();
        let ((ar, aw), (br, bw)) = (a, b);
        let reads = [tokio::spawn(read(ar, n)), tokio::spawn(read(br, n))];
        let writes = [tokio::spawn(write(aw, n)), tokio::spawn(write(bw, n))];
        for t in reads {
            t.await.expect("reader task");
        }
        let elapsed = start.elapsed();
        for t in writes {
            t.await.expect("writer task");
        }
        mbps(2 * n, elapsed)
    }
    let names = ["split_duplex_tcp_into_split", "split_duplex_tcp_io_split"];
    let workers = std::env::var("LCTLS_BENCH_WORKERS").map_or(2, |v| v.parse().unwrap_or(2));
    if !wanted(&names) {
        return;
    }
    // A runtime cannot be entered (or dropped) inside another: this one
    // lives on a thread of its own.
    let (own, locked) = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(workers)
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    let (mut own, mut locked) = (Samples::default(), Samples::default());
                    for r in 0..p.rounds {
                        let (a, b) = tcp_pair().await;
                        let plain = both_ways(boxed(a.into_split()), boxed(b.into_split()), p.bulk);
                        let plain = plain.await;
                        own.limit.push(plain);
                        locked.limit.push(plain);
                        for lib in order(r) {
                            let (a, b) = tcp_pair().await;
                            if lib == Lib::Rustls {
                                let (x, y) = rustls_pair(c, a, b).await;
                                let (x, y) = (tokio::io::split(x), tokio::io::split(y));
                                let v = both_ways(boxed(x), boxed(y), p.bulk).await;
                                own.rustls.push(v);
                                locked.rustls.push(v);
                                continue;
                            }
                            let (x, y) = lctls_pair(c, a, b).await;
                            let (x, y) = (x.into_split_tcp(), y.into_split_tcp());
                            let (x, y) = (x.expect("split"), y.expect("split"));
                            own.lctls.push(both_ways(boxed(x), boxed(y), p.bulk).await);
                            let (a, b) = tcp_pair().await;
                            let (x, y) = lctls_pair(c, a, b).await;
                            let (x, y) = (tokio::io::split(x), tokio::io::split(y));
                            locked
                                .lctls
                                .push(both_ways(boxed(x), boxed(y), p.bulk).await);
                        }
                    }
                    (own, locked)
                })
            })
            .join()
            .expect("duplex bench thread")
    });
    rows.push(own.row(names[0].into(), "MB/s"));
    rows.push(locked.row(names[1].into(), "MB/s"));
}

/// Reading into uninitialised space (`read_buf` on a `BytesMut`, as hyper
/// and `tokio_util::codec` read) against reading into an initialised
/// buffer, where lctls opens records straight into the caller's memory.
/// Figure `read_buf_uninit_vs_init`: lctls = MB/s through `read_buf`,
/// rustls = tokio-rustls through `read_buf`, limit = lctls through `read`
/// into an initialised buffer (the direct path), one current-thread task pair
/// over a duplex pipe, server to client.
async fn read_buf_rows(p: &Params, c: &Configs, rows: &mut Vec<Row>) {
    async fn run<W, R>(mut w: W, mut r: R, n: u64, uninit: bool) -> f64
    where
        W: AsyncWrite + Unpin,
        R: AsyncRead + Unpin,
    {
        let chunk = vec![0xa5u8; WRITE];
        let start = Instant::now();
        let (_, got) = tokio::join!(
            async {
                let mut left = n;
                while left > 0 {
                    let k = left.min(WRITE as u64) as usize;
                    w.write_all(&chunk[..k]).await.expect("write");
                    left -= k as u64;
                }
                w.flush().await.expect("flush");
            },
            async {
                let mut got = 0u64;
                let mut init = vec![0u8; WRITE];
                let mut b = bytes::BytesMut::with_capacity(WRITE);
                while got < n {
                    let k = if uninit {
                        b.clear();
                        r.read_buf(&mut b).await.expect("read_buf")
                    } else {
                        r.read(&mut init).await.expect("read")
                    };
                    assert!(k > 0);
                    got += k as u64;
                }
                got
            }
        );
        assert_eq!(got, n);
        mbps(n, start.elapsed())
    }
    if !wanted(&["read_buf_uninit_vs_init"]) {
        return;
    }
    let mut s = Samples::default();
    for r in 0..p.rounds {
        let (a, b) = duplex(DUPLEX);
        let (x, y) = lctls_pair(c, a, b).await;
        s.limit.push(run(y, x, p.bulk, false).await);
        for lib in order(r) {
            let (a, b) = duplex(DUPLEX);
            let v = if lib == Lib::Lctls {
                let (x, y) = lctls_pair(c, a, b).await;
                run(y, x, p.bulk, true).await
            } else {
                let (x, y) = rustls_pair(c, a, b).await;
                run(y, x, p.bulk, true).await
            };
            s.push(lib, v);
        }
    }
    rows.push(s.row("read_buf_uninit_vs_init".into(), "MB/s"));
}

/// MB/s (1e6 bytes per second) of one bulk run; `lib` None is the plain transport.
async fn bulk(lib: Option<Lib>, c: &Configs, tcp: bool, dir: Dir, n: u64) -> f64 {
    let t = if tcp {
        let (a, b) = tcp_pair().await;
        bulk_over(lib, c, a, b, dir, n).await
    } else {
        let (a, b) = duplex(DUPLEX);
        bulk_over(lib, c, a, b, dir, n).await
    };
    mbps(n, t)
}

fn mbps(n: u64, t: Duration) -> f64 {
    n as f64 / t.as_secs_f64() / 1e6
}

/// Raw aws-lc-rs AEAD on 16 KiB records: (seal MB/s, open MB/s) for `n` bytes.
/// Open time = time(seal+open pairs) - time(seals), so every open gets a valid
/// record without copying one in.
pub(super) fn raw_aead(alg: &'static aead::Algorithm, n: u64) -> (f64, f64) {
    let key = LessSafeKey::new(UnboundKey::new(alg, &vec![7u8; alg.key_len()]).expect("key"));
    let records = n.div_ceil(RECORD as u64);
    let bytes = records * RECORD as u64;
    let mut buf = vec![0x5au8; RECORD + alg.tag_len()];
    let header = [0x17u8, 0x03, 0x03, 0x40, 0x11];
    let nonce = |i: u64| {
        let mut b = [0u8; 12];
        b[4..].copy_from_slice(&i.to_be_bytes());
        Nonce::assume_unique_for_key(b)
    };
    let seal = |buf: &mut [u8], i: u64| {
        let (body, tag) = buf.split_at_mut(RECORD);
        let t = key
            .seal_in_place_separate_tag(nonce(i), Aad::from(header), body)
            .expect("seal");
        tag.copy_from_slice(t.as_ref());
    };
    let start = Instant::now();
    for i in 0..records {
        seal(&mut buf, i);
    }
    let t_seal = start.elapsed();
    let start = Instant::now();
    for i in 0..records {
        seal(&mut buf, i);
        let p = key
            .open_in_place(nonce(i), Aad::from(header), &mut buf)
            .expect("open");
        assert_eq!(p.len(), RECORD);
    }
    let t_both = start.elapsed();
    let t_open = t_both.saturating_sub(t_seal).max(Duration::from_nanos(1));
    (mbps(bytes, t_seal), mbps(bytes, t_open))
}

/// The bulk rows: for each suite, duplex c2s, TCP c2s and duplex s2c, with
/// the limit measured in the same rounds; then the split and read_buf
/// figures.
pub(super) async fn rows(p: &Params, ecdsa: &[(Suite, Configs)], rows: &mut Vec<Row>) {
    let p = *p;
    let bulk_names =
        |tag| ["duplex_c2s", "tcp_c2s", "duplex_s2c"].map(|d| format!("bulk_{d}_{tag}"));
    for (suite, c) in ecdsa.iter().filter(|(s, _)| wanted(&bulk_names(s.tag))) {
        let mut duplex_c2s = Samples::default();
        let mut tcp_c2s = Samples::default();
        let mut duplex_s2c = Samples::default();
        for r in 0..p.rounds {
            let (seal, open) = raw_aead(suite.aead, p.bulk);
            let plain_duplex = bulk(None, c, false, Dir::C2S, p.bulk).await;
            let plain_tcp = bulk(None, c, true, Dir::C2S, p.bulk).await;
            let limit = |plain: f64| 1.0 / (1.0 / seal + 1.0 / open + 1.0 / plain);
            duplex_c2s.limit.push(limit(plain_duplex));
            duplex_s2c.limit.push(limit(plain_duplex));
            tcp_c2s.limit.push(limit(plain_tcp));
            for lib in order(r) {
                duplex_c2s.push(lib, bulk(Some(lib), c, false, Dir::C2S, p.bulk).await);
            }
            for lib in order(r) {
                tcp_c2s.push(lib, bulk(Some(lib), c, true, Dir::C2S, p.bulk).await);
            }
            for lib in order(r) {
                duplex_s2c.push(lib, bulk(Some(lib), c, false, Dir::S2C, p.bulk).await);
            }
        }
        let [a, b, c] = bulk_names(suite.tag);
        rows.push(duplex_c2s.row(a, "MB/s"));
        rows.push(tcp_c2s.row(b, "MB/s"));
        rows.push(duplex_s2c.row(c, "MB/s"));
    }

    // Full duplex over split streams, and reads into uninitialised space.
    split_duplex_rows(&p, &ecdsa[0].1, rows);
    read_buf_rows(&p, &ecdsa[0].1, rows).await;
}
