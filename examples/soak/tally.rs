//! Counters shared by a process's connections, and what /proc says about
//! the process (RSS, peak RSS, open fds, fd limit).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

/// How many error messages to keep for printing.
const KEEP_MESSAGES: usize = 20;

/// Counters of one process.
#[derive(Default)]
pub struct Tally {
    /// Handshakes completed.
    pub handshakes: AtomicU64,
    /// Of those, resumed ones.
    pub resumed: AtomicU64,
    /// Connections currently established (handshake done, not yet dropped).
    pub open: AtomicU64,
    /// The most connections established at once.
    pub peak_open: AtomicU64,
    /// Payload bytes received and verified.
    pub bytes_in: AtomicU64,
    /// Payload bytes sent.
    pub bytes_out: AtomicU64,
    /// KeyUpdates sent.
    pub key_updates: AtomicU64,
    /// Messages received complete and verified (digest included).
    pub messages_ok: AtomicU64,
    /// Payload bytes of aborted messages: sent before the abort (client),
    /// received and verified before the truncation (server).
    pub abort_bytes: AtomicU64,
    errors: Mutex<Errors>,
}

#[derive(Default)]
struct Errors {
    expected: BTreeMap<String, u64>,
    unexpected: BTreeMap<String, u64>,
    messages: Vec<String>,
}

/// Counts a connection as open while it lives.
pub struct OpenGuard<'a>(&'a Tally);

impl Drop for OpenGuard<'_> {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Relaxed);
    }
}

impl Tally {
    /// Adds `n` to a counter.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Relaxed);
    }

    /// Marks one more connection open until the guard drops.
    pub fn opened(&self) -> OpenGuard<'_> {
        let now = self.open.fetch_add(1, Relaxed) + 1;
        self.peak_open.fetch_max(now, Relaxed);
        OpenGuard(self)
    }

    /// An error the scenario provokes on purpose (e.g. truncation after an abort).
    pub fn expected(&self, label: &str) {
        if let Ok(mut e) = self.errors.lock() {
            *e.expected.entry(label.to_string()).or_default() += 1;
        }
    }

    /// An error that fails the soak; `what` is kept for printing.
    pub fn unexpected(&self, label: &str, what: String) {
        if let Ok(mut e) = self.errors.lock() {
            *e.unexpected.entry(label.to_string()).or_default() += 1;
            if e.messages.len() < KEEP_MESSAGES {
                e.messages.push(what);
            }
        }
    }

    /// Kept error messages.
    pub fn messages(&self) -> Vec<String> {
        self.errors
            .lock()
            .map(|e| e.messages.clone())
            .unwrap_or_default()
    }

    /// Everything as `key=value` pairs (errors as `expected.LABEL` and
    /// `unexpected.LABEL`), plus this process's /proc readings.
    pub fn snapshot(&self) -> Snapshot {
        let mut m = BTreeMap::new();
        let get = |c: &AtomicU64| c.load(Relaxed);
        m.insert("handshakes".into(), get(&self.handshakes));
        m.insert("resumed".into(), get(&self.resumed));
        m.insert("open".into(), get(&self.open));
        m.insert("peak_open".into(), get(&self.peak_open));
        m.insert("bytes_in".into(), get(&self.bytes_in));
        m.insert("bytes_out".into(), get(&self.bytes_out));
        m.insert("key_updates".into(), get(&self.key_updates));
        m.insert("messages_ok".into(), get(&self.messages_ok));
        m.insert("abort_bytes".into(), get(&self.abort_bytes));
        if let Ok(e) = self.errors.lock() {
            for (k, v) in &e.expected {
                m.insert(format!("expected.{k}"), *v);
            }
            for (k, v) in &e.unexpected {
                m.insert(format!("unexpected.{k}"), *v);
            }
        }
        let p = Proc::read();
        m.insert("rss_kib".into(), p.rss_kib);
        m.insert("hwm_kib".into(), p.hwm_kib);
        m.insert("fds".into(), p.fds);
        m.insert("heap".into(), p.heap);
        Snapshot(m)
    }
}

/// A process's counters, as printed on one line and parsed back.
#[derive(Clone, Debug, Default)]
pub struct Snapshot(pub BTreeMap<String, u64>);

impl Snapshot {
    /// A counter (0 when absent).
    pub fn get(&self, key: &str) -> u64 {
        self.0.get(key).copied().unwrap_or(0)
    }

    /// Sum of the counters whose names start with `prefix`.
    pub fn sum_prefix(&self, prefix: &str) -> u64 {
        self.0
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v)
            .sum()
    }

    /// Error counters with names starting with `prefix`, prefix removed.
    pub fn errors(&self, prefix: &str) -> Vec<(String, u64)> {
        self.0
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(prefix).map(|l| (l.to_string(), *v)))
            .collect()
    }

    /// `key=value key=value ...`
    pub fn to_line(&self) -> String {
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        parts.join(" ")
    }

    /// Parses [`Snapshot::to_line`]'s output.
    pub fn from_line(line: &str) -> Self {
        let mut m = BTreeMap::new();
        for part in line.split_whitespace() {
            if let Some((k, v)) = part.split_once('=') {
                if let Ok(v) = v.parse() {
                    m.insert(k.to_string(), v);
                }
            }
        }
        Snapshot(m)
    }
}

/// Bytes the heap holds now: allocated minus freed, counted by the global allocator.
pub fn heap_bytes() -> u64 {
    // stats_alloc books a realloc's growth as allocated and its shrinkage
    // as deallocated, so these two alone give the live total.
    let s = crate::GLOBAL.stats();
    s.bytes_allocated.saturating_sub(s.bytes_deallocated) as u64
}

/// What /proc/self says about memory and descriptors.
#[derive(Clone, Copy, Debug, Default)]
pub struct Proc {
    /// Resident set size now (VmRSS), KiB.
    pub rss_kib: u64,
    /// Peak resident set size (VmHWM), KiB.
    pub hwm_kib: u64,
    /// Open file descriptors.
    pub fds: u64,
    /// Live heap bytes (see [`heap_bytes`]).
    pub heap: u64,
}

impl Proc {
    /// Reads /proc/self/status and /proc/self/fd (zeros where unavailable).
    pub fn read() -> Self {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        // Listing /proc/self/fd opens one descriptor of its own: not counted.
        let fds = std::fs::read_dir("/proc/self/fd")
            .map(|d| d.count().saturating_sub(1) as u64)
            .unwrap_or(0);
        Proc {
            rss_kib: field("VmRSS:"),
            hwm_kib: field("VmHWM:"),
            fds,
            heap: heap_bytes(),
        }
    }
}

/// The soft and hard limits on open files (`Max open files` in /proc/self/limits).
pub fn fd_limits() -> Option<(u64, u64)> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let mut nums = line["Max open files".len()..]
        .split_whitespace()
        .map(|w| w.parse::<u64>().unwrap_or(u64::MAX));
    Some((nums.next()?, nums.next()?))
}

/// Bytes in MiB, for printing.
pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// One line per open descriptor: its target and, for a TCP socket, its
/// addresses, state and queues from /proc/net/tcp (to tell a leaked
/// connection from anything else).
pub fn describe_fds() -> Vec<String> {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return out;
    };
    for entry in dir.flatten() {
        let target = std::fs::read_link(entry.path())
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        let mut line = format!("fd {}: {target}", entry.file_name().to_string_lossy());
        if let Some(inode) = target
            .strip_prefix("socket:[")
            .and_then(|t| t.strip_suffix(']'))
        {
            for row in table.lines() {
                let f: Vec<&str> = row.split_whitespace().collect();
                if f.len() > 9 && f[9] == inode {
                    line += &format!(" tcp {} -> {} state {} tx:rx {}", f[1], f[2], f[3], f[4]);
                }
            }
        }
        out.push(line);
    }
    out
}

/// The kernel's TCP memory, machine-wide: what 20,000 loopback sockets can
/// exhaust without any process doing anything wrong.
#[derive(Clone, Debug, Default)]
pub struct KernelTcp {
    /// Pages of TCP memory in use (/proc/net/sockstat, `TCP: ... mem`).
    pub mem_pages: u64,
    /// net.ipv4.tcp_mem: low, pressure and hard limits in pages.
    pub limits: String,
    /// Times the kernel entered TCP memory pressure (TcpExt TCPMemoryPressures).
    pub pressures: u64,
    /// Segments dropped because the receive queue could not be charged (TCPRcvQDrop).
    pub rcvq_drops: u64,
}

impl KernelTcp {
    /// Reads /proc (zeros where unavailable).
    pub fn read() -> Self {
        let sockstat = std::fs::read_to_string("/proc/net/sockstat").unwrap_or_default();
        let mem_pages = sockstat
            .lines()
            .find(|l| l.starts_with("TCP:"))
            .and_then(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                w.iter()
                    .position(|x| *x == "mem")
                    .and_then(|i| w.get(i + 1))
                    .and_then(|v| v.parse().ok())
            })
            .unwrap_or(0);
        let limits = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_mem")
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join("/"))
            .unwrap_or_default();
        let netstat = std::fs::read_to_string("/proc/net/netstat").unwrap_or_default();
        let lines: Vec<&str> = netstat.lines().collect();
        let mut ext = std::collections::HashMap::new();
        for pair in lines.chunks(2) {
            if let [names, values] = pair {
                if names.starts_with("TcpExt:") {
                    for (k, v) in names.split_whitespace().zip(values.split_whitespace()) {
                        ext.insert(k.to_string(), v.parse::<u64>().unwrap_or(0));
                    }
                }
            }
        }
        KernelTcp {
            mem_pages,
            limits,
            pressures: ext.get("TCPMemoryPressures").copied().unwrap_or(0),
            rcvq_drops: ext.get("TCPRcvQDrop").copied().unwrap_or(0),
        }
    }
}
