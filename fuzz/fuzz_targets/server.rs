//! A full server `Connection` fed arbitrary client bytes.
//!
//! Input: a plan byte (config variant, feed chunking, read path, EOF, and
//! whether to write data and update keys once established; see
//! `lctls_fuzz::Plan`), then the bytes the client sends. Randomness, time,
//! ephemeral keys and the server's signatures are fixed, so a client flight
//! recorded by gen_corpus completes the handshake again and the fuzzer
//! explores the established connection as well.
//!
//! Invariants after every call (`Victim::check`): incoming holds at most one
//! partial record after a successful process (unless paused by close_notify
//! or a full plaintext buffer); outgoing stays under 1 MiB; plaintext held
//! stays within MAX_BUFFERED_PLAINTEXT plus one record; every error sends an
//! alert or is a received alert or a truncation; `error()` reports it; a
//! failed connection keeps failing with the same error (process, EOF, write).
#![no_main]

use lctls::proto::Connection;
use lctls_fuzz::{server_config, Plan, Victim};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&plan, stream)) = data.split_first() else {
        return;
    };
    let plan = Plan::from_byte(plan);
    let mut v = Victim::new(Connection::new_server(server_config(plan.variant)));
    v.drive(plan, stream);
});
