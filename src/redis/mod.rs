//! Session storage in Redis (feature `redis`): one [`RedisSessionStore`]
//! serves as a server's [`ServerSessionStore`] (TLS 1.2 session IDs), as
//! its 0-RTT anti-replay register ([`AntiReplay`]) and as a client's
//! [`ClientSessionStore`], so the servers of a fleet resume each other's
//! sessions and refuse early data replayed from one to another, and clients
//! keep their sessions across restarts.
//!
//! ```no_run
//! use std::sync::Arc;
//! use lctls::config::ServerConfig;
//! use lctls::redis::RedisSessionStore;
//! # fn main() -> Result<(), lctls::Error> {
//! # let key = lctls::config::CertifiedKey::from_pem_files("certs/server.pem", "certs/server.key")?;
//! let store = Arc::new(RedisSessionStore::new("redis://127.0.0.1:6379/")?);
//! let config = ServerConfig::builder()
//!     .with_certified_key(key)
//!     .with_session_store(store)
//!     .build()?;
//! # let _ = config; Ok(()) }
//! ```
//!
//! # Failure is a full handshake
//!
//! The store keeps one multiplexed connection, made and driven by a thread
//! of its own (its own small Tokio runtime), so the connection outlives the
//! runtime of any one caller. A lookup waits at most
//! [`RedisOptions::timeout`] (50 ms by default); writes are queued for that
//! thread and never waited for. A lookup that times out, a Redis that is
//! down or unreachable, a full queue, a value that does not decode: each is
//! "no session", so the connection makes a full handshake and never fails
//! because of Redis. After a failure the store does not try to connect
//! again for [`RedisOptions::retry_after`] (1 s), so an outage costs no
//! connect attempts per handshake; then it reconnects by itself.
//!
//! On a server nothing blocks: the store says it is asynchronous
//! ([`ServerSessionStore::is_async`], [`AntiReplay::is_async`]), so the
//! handshake pauses (see [`crate::hooks`]) while the session `GET` or the
//! 0-RTT claim runs on the multiplexed connection from the handshake's own
//! task (through the store's thread while it has no connection yet). On a
//! client nothing blocks either: [`ClientSessionStore::is_async`] makes
//! [`TlsConnector`](crate::TlsConnector) look the session and the ticket up
//! together ([`ClientSessionStore::lookup_async`]) on the connecting task
//! before it builds the ClientHello. Only a sans-IO client
//! [`Connection`](crate::proto::Connection), which has no task to
//! wait on, calls the synchronous methods, which wait on the calling thread
//! for at most the timeout. Driving a server [`Connection`](crate::proto::Connection)
//! by hand, answer its [`Request::LookupSession`](crate::hooks::Request::LookupSession)
//! and [`Request::ClaimEarlyData`](crate::hooks::Request::ClaimEarlyData)
//! with [`Connection::hook_future`](crate::proto::Connection::hook_future).
//!
//! # What Redis holds
//!
//! Sessions hold secrets (the TLS 1.2 master secret, the TLS 1.3 PSK) and
//! the peer's certificates; Redis must be protected like a key store
//! (bound to a private network, with `requirepass` or ACLs, TLS to Redis
//! where the network is not trusted). Keys are
//! `{prefix}s12:{hex session ID}` (server), `{prefix}c12:{server name}` and
//! `{prefix}c13:{server name}` (client), with the session's lifetime as
//! their expiry. TLS 1.3 tickets are taken with `GETDEL`, so one is used
//! once even by a fleet of clients (Redis 6.2 or later).
//!
//! # Anti-replay
//!
//! A 0-RTT claim is `SET {prefix}ar:{hex ticket digest} 1 NX EX {retention}`:
//! atomic in Redis, so of any number of servers exactly one accepts a
//! ticket's early data; the claim lives twice the freshness window plus two
//! seconds, as [`StrikeRegister`](crate::config::StrikeRegister)
//! keeps it. A claim that Redis does not confirm within the timeout (an
//! outage, a slow Redis) is refused: an outage costs 0-RTT (the data is
//! rejected and the handshake goes on in 1-RTT), never accepts a replay.

use std::fmt;
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ::redis::aio::MultiplexedConnection;
use ::redis::{AsyncConnectionConfig, Client};
use tokio::sync::mpsc;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::hooks::HookFuture;
use crate::proto::handshake::resume::replay::{AntiReplay, DEFAULT_REPLAY_WINDOW};
use crate::proto::handshake::resume::{
    ClientSessionStore, ClientSessions, ServerSessionStore, Session12, Session13,
};

/// The longest [`RedisOptions::retry_after`] taken: a year, "never again"
/// in practice.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(365 * 24 * 3600);

/// How a [`RedisSessionStore`] talks to Redis.
#[derive(Clone, Debug)]
pub struct RedisOptions {
    /// The longest a lookup (and a connection attempt) may take before it
    /// counts as "no session" (default 50 ms).
    pub timeout: Duration,
    /// How long to wait after a failure before connecting again (default
    /// 1 s; more than a year counts as a year).
    pub retry_after: Duration,
    /// Prefix of every key (default `lctls:`), so several fleets or
    /// applications can share one Redis.
    pub key_prefix: String,
    /// Requests waiting for Redis beyond which new ones are dropped
    /// (default 4096): memory stays bounded when Redis is slow.
    pub queue: usize,
    /// The 0-RTT freshness window in seconds, as [`AntiReplay::window`]
    /// (default 10, as the in-memory register's).
    pub replay_window: u64,
}

impl Default for RedisOptions {
    fn default() -> Self {
        RedisOptions {
            timeout: Duration::from_millis(50),
            retry_after: Duration::from_secs(1),
            key_prefix: "lctls:".into(),
            queue: 4096,
            replay_window: DEFAULT_REPLAY_WINDOW,
        }
    }
}

enum Op {
    Get(String),
    GetDel(String),
    Set(String, Zeroizing<Vec<u8>>, u64),
    Del(String),
    /// SET NX EX: Some(..) when the key was new.
    Claim(String, u64),
}

type Reply = Option<Zeroizing<Vec<u8>>>;

/// Where the worker sends an answer: a thread blocked on it, or a task.
enum ReplyTo {
    Blocking(std_mpsc::SyncSender<Reply>),
    Task(tokio::sync::oneshot::Sender<Reply>),
}

struct Job {
    op: Op,
    reply: Option<ReplyTo>,
}

/// Sessions in Redis, shared by every server or client configured with it
/// (see the module documentation). `Debug` shows neither the URL (it may
/// hold a password) nor any session.
pub struct RedisSessionStore {
    tx: mpsc::Sender<Job>,
    options: RedisOptions,
    /// The worker's multiplexed connection, while it has one: server
    /// lookups query it directly from the handshake's own task (see
    /// [`ServerSessionStore::get_async`]). Its driver runs on the worker's
    /// runtime, so it outlives the runtime of any one caller.
    shared: SharedConn,
}

type SharedConn = Arc<Mutex<Option<MultiplexedConnection>>>;

impl fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("key_prefix", &self.options.key_prefix)
            .field("timeout", &self.options.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisSessionStore {
    /// A store for the Redis at `url` (`redis://[:password@]host:port/[db]`)
    /// with the default [`RedisOptions`]. Redis need not be up yet: the
    /// store connects when first used, and again after failures.
    pub fn new(url: &str) -> Result<Self, Error> {
        Self::with_options(url, RedisOptions::default())
    }

    /// Like [`RedisSessionStore::new`], with these options.
    pub fn with_options(url: &str, options: RedisOptions) -> Result<Self, Error> {
        let client = Client::open(url)
            .map_err(|e| Error::Config(format!("Redis URL not understood ({:?})", e.kind())))?;
        let (tx, rx) = mpsc::channel(options.queue.max(1));
        let shared = SharedConn::default();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Config(format!("Redis store runtime: {e}")))?;
        let worker = Worker {
            client,
            config: AsyncConnectionConfig::new()
                .set_connection_timeout(Some(options.timeout))
                .set_response_timeout(Some(options.timeout)),
            // Bounded, so that `Instant::now() + retry_after` cannot
            // overflow (it panicked the store's thread for Duration::MAX).
            retry_after: options.retry_after.min(MAX_RETRY_AFTER),
            conn: None,
            down_until: None,
            shared: shared.clone(),
        };
        std::thread::Builder::new()
            .name("lctls-redis".into())
            .spawn(move || runtime.block_on(worker.run(rx)))
            .map_err(|e| Error::Config(format!("Redis store thread: {e}")))?;
        Ok(RedisSessionStore {
            tx,
            options,
            shared,
        })
    }

    fn key(&self, kind: &str, name: &str) -> String {
        format!("{}{kind}:{name}", self.options.key_prefix)
    }

    /// Asks and waits at most the timeout; None on any failure.
    fn call(&self, op: Op) -> Reply {
        let (tx, rx) = std_mpsc::sync_channel(1);
        self.tx
            .try_send(Job {
                op,
                reply: Some(ReplyTo::Blocking(tx)),
            })
            .ok()?;
        rx.recv_timeout(self.options.timeout).ok().flatten()
    }

    /// Runs `op` for a task, without blocking its thread: on the worker's
    /// multiplexed connection directly when it has one, else through the
    /// worker (which connects first); at most [`RedisOptions::timeout`]
    /// either way. None on any failure.
    fn ask(&self, op: Op) -> HookFuture<Reply> {
        let timeout = self.options.timeout;
        let conn = match self.shared.lock() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let Some(mut conn) = conn else {
            let (tx, rx) = tokio::sync::oneshot::channel();
            let job = Job {
                op,
                reply: Some(ReplyTo::Task(tx)),
            };
            if self.tx.try_send(job).is_err() {
                return Box::pin(std::future::ready(None));
            }
            return Box::pin(async move { tokio::time::timeout(timeout, rx).await.ok()?.ok()? });
        };
        Box::pin(async move {
            match tokio::time::timeout(timeout, run_op(&op, &mut conn)).await {
                Ok(Ok(v)) => v,
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, "Redis request failed");
                    None
                }
                Err(_) => {
                    tracing::debug!("Redis request timed out");
                    None
                }
            }
        })
    }

    /// Queues a write; dropped if the queue is full.
    fn send(&self, op: Op) {
        if self.tx.try_send(Job { op, reply: None }).is_err() {
            tracing::debug!("Redis session store queue full: write dropped");
        }
    }

    fn set(&self, key: String, bytes: Result<Zeroizing<Vec<u8>>, Error>, lifetime: u64) {
        match bytes {
            Ok(b) => self.send(Op::Set(key, b, lifetime.max(1))),
            Err(e) => tracing::debug!(error = %e, "session not encodable: not stored"),
        }
    }
}

impl ServerSessionStore for RedisSessionStore {
    fn get(&self, id: &[u8]) -> Option<Session12> {
        let v = self.call(Op::Get(self.key("s12", &hex(id))))?;
        Session12::from_bytes(&v)
    }

    /// Server lookups pause the handshake instead of blocking its thread.
    fn is_async(&self) -> bool {
        true
    }

    /// `GET` from the handshake's task, within the timeout (see the module
    /// documentation); any failure is a full handshake.
    fn get_async(&self, id: Vec<u8>) -> HookFuture<Option<Session12>> {
        let reply = self.ask(Op::Get(self.key("s12", &hex(&id))));
        Box::pin(async move { Session12::from_bytes(&reply.await?) })
    }

    fn put(&self, s: Session12) {
        if s.session_id.is_empty() {
            return;
        }
        self.set(
            self.key("s12", &hex(&s.session_id)),
            s.to_bytes(),
            s.lifetime,
        );
    }
}

impl ClientSessionStore for RedisSessionStore {
    fn get(&self, server: &str) -> Option<Session12> {
        let v = self.call(Op::Get(self.key("c12", server)))?;
        Session12::from_bytes(&v)
    }

    fn put(&self, server: &str, s: Session12) {
        self.set(self.key("c12", server), s.to_bytes(), s.lifetime);
    }

    fn remove(&self, server: &str) {
        self.send(Op::Del(self.key("c12", server)));
    }

    fn take13(&self, server: &str) -> Option<Session13> {
        let v = self.call(Op::GetDel(self.key("c13", server)))?;
        Session13::from_bytes(&v)
    }

    fn put13(&self, server: &str, s: Session13) {
        self.set(self.key("c13", server), s.to_bytes(), s.lifetime);
    }

    /// Connectors look sessions up on the connecting task instead of
    /// blocking its thread.
    fn is_async(&self) -> bool {
        true
    }

    /// `GET` and `GETDEL` from the connecting task, together, within the
    /// timeout (see the module documentation); any failure is a full
    /// handshake.
    fn lookup_async(&self, server: String, tls12: bool, tls13: bool) -> HookFuture<ClientSessions> {
        let none = || -> HookFuture<Reply> { Box::pin(std::future::ready(None)) };
        let r12 = match tls12 {
            true => self.ask(Op::Get(self.key("c12", &server))),
            false => none(),
        };
        let r13 = match tls13 {
            true => self.ask(Op::GetDel(self.key("c13", &server))),
            false => none(),
        };
        Box::pin(async move {
            let (r12, r13) = tokio::join!(r12, r13);
            ClientSessions {
                tls12: r12.and_then(|v| Session12::from_bytes(&v)),
                tls13: r13.and_then(|v| Session13::from_bytes(&v)),
            }
        })
    }
}

impl AntiReplay for RedisSessionStore {
    fn window(&self) -> u64 {
        self.options.replay_window.max(1)
    }

    fn claim(&self, ticket: &[u8; 32], _now: u64) -> bool {
        // Redis's clock expires the claim; ours only decides freshness.
        let retention = self.window().saturating_mul(2).saturating_add(2);
        self.call(Op::Claim(self.key("ar", &hex(ticket)), retention))
            .is_some_and(|ok| &ok[..] == b"OK")
    }

    /// Claims pause the handshake instead of blocking its thread.
    fn is_async(&self) -> bool {
        true
    }

    /// [`AntiReplay::claim`] from the handshake's task, within the timeout
    /// (see the module documentation): no confirmation in time is a refusal.
    fn claim_async(&self, ticket: [u8; 32], _now: u64) -> HookFuture<bool> {
        let retention = self.window().saturating_mul(2).saturating_add(2);
        let reply = self.ask(Op::Claim(self.key("ar", &hex(&ticket)), retention));
        Box::pin(async move { reply.await.is_some_and(|ok| &ok[..] == b"OK") })
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The store's thread: one connection, requests in order.
struct Worker {
    client: Client,
    config: AsyncConnectionConfig,
    retry_after: Duration,
    conn: Option<MultiplexedConnection>,
    /// After a failure, no connection attempt before this instant.
    down_until: Option<Instant>,
    /// Where the connection is published for direct lookups.
    shared: SharedConn,
}

impl Worker {
    async fn run(mut self, mut rx: mpsc::Receiver<Job>) {
        // Ends when the store (every sender) is dropped.
        while let Some(job) = rx.recv().await {
            let reply = self.execute(job.op).await;
            // The caller may have given up already; that is fine.
            match job.reply {
                Some(ReplyTo::Blocking(r)) => {
                    let _ = r.try_send(reply);
                }
                Some(ReplyTo::Task(r)) => {
                    let _ = r.send(reply);
                }
                None => {}
            }
        }
    }

    async fn connection(&mut self) -> Option<&mut MultiplexedConnection> {
        if self.conn.is_none() && self.down_until.is_none_or(|t| Instant::now() >= t) {
            match self
                .client
                .get_multiplexed_async_connection_with_config(&self.config)
                .await
            {
                Ok(c) => {
                    if self.down_until.take().is_some() {
                        tracing::info!("Redis session store reconnected");
                    }
                    self.publish(Some(c.clone()));
                    self.conn = Some(c);
                }
                Err(e) => self.failed(&e),
            }
        }
        self.conn.as_mut()
    }

    fn failed(&mut self, e: &::redis::RedisError) {
        if self.down_until.is_none() {
            tracing::warn!(error = %e, "Redis session store unavailable: full handshakes until it is back");
        }
        self.conn = None;
        self.publish(None);
        self.down_until = Some(Instant::now() + self.retry_after);
    }

    fn publish(&self, conn: Option<MultiplexedConnection>) {
        match self.shared.lock() {
            Ok(mut g) => *g = conn,
            Err(poisoned) => *poisoned.into_inner() = conn,
        }
    }

    async fn execute(&mut self, op: Op) -> Reply {
        let conn = self.connection().await?;
        let result = run_op(&op, conn).await;
        match result {
            Ok(v) => v,
            Err(e) => {
                self.failed(&e);
                None
            }
        }
    }
}

/// One request on `conn`: its reply (a value, an "OK", or None).
async fn run_op(op: &Op, conn: &mut MultiplexedConnection) -> ::redis::RedisResult<Reply> {
    let cmd = match op {
        Op::Get(k) => ::redis::cmd("GET").arg(k).clone(),
        Op::GetDel(k) => ::redis::cmd("GETDEL").arg(k).clone(),
        Op::Set(k, v, ttl) => ::redis::cmd("SET")
            .arg(k)
            .arg(&v[..])
            .arg("EX")
            .arg(*ttl)
            .clone(),
        Op::Del(k) => ::redis::cmd("DEL").arg(k).clone(),
        Op::Claim(k, ttl) => ::redis::cmd("SET")
            .arg(k)
            .arg(1)
            .arg("NX")
            .arg("EX")
            .arg(*ttl)
            .clone(),
    };
    match op {
        Op::Get(_) | Op::GetDel(_) => cmd
            .query_async::<Option<Vec<u8>>>(&mut *conn)
            .await
            .map(|v| v.map(Zeroizing::new)),
        Op::Set(..) | Op::Del(_) => cmd.query_async::<()>(&mut *conn).await.map(|()| None),
        Op::Claim(..) => cmd
            .query_async::<Option<String>>(&mut *conn)
            .await
            .map(|ok| ok.map(|s| Zeroizing::new(s.into_bytes()))),
    }
}
