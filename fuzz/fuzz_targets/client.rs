//! A full client `Connection` fed arbitrary server bytes.
//!
//! Input: a plan byte (see `lctls_fuzz::Plan`), then the bytes the server
//! sends. The ClientHello is the same for every input (fixed randomness,
//! key shares and time), so a server flight recorded by gen_corpus against
//! it decrypts again and the handshake can complete.
//!
//! Invariants: those of `Victim::check` (see the server target).
#![no_main]

use lctls_fuzz::{new_client, Plan, Victim};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&plan, stream)) = data.split_first() else {
        return;
    };
    let plan = Plan::from_byte(plan);
    let mut v = Victim::new(new_client(plan.variant));
    v.drive(plan, stream);
});
