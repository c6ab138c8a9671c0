//! Issue 11, denial of service: chains whose name constraints multiply out
//! (thousands of SANs against thousands of subtrees) end in an error within
//! the comparison budget, quickly, and never in an acceptance after a long
//! computation. Each case is timed with a generous bound; run with
//! `--nocapture` to see the figures.

mod pki_support;

use std::time::{Duration, Instant};

use lctls::pki::{verify_chain, CertificateError, KeyPurpose};
use pki_support::*;
use rcgen::{GeneralSubtree, NameConstraints};

/// Far above what any case takes on a loaded machine (debug build).
const BOUND: Duration = Duration::from_secs(10);

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    eprintln!("{what}: {took:?}");
    assert!(took < BOUND, "{what} took {took:?}");
    out
}

/// `sans` DNS SANs under an intermediate with `subtrees` DNS subtrees
/// (permitted or excluded), verified once.
fn multiply(sans: usize, subtrees: usize, permitted: bool) -> Result<(), CertificateError> {
    let root = root("Pathological Root");
    let trees: Vec<GeneralSubtree> = (0..subtrees)
        .map(|i| GeneralSubtree::DnsName(format!("t{i}.example.org")))
        .collect();
    let mut ip = ca_params("Pathological CA");
    ip.name_constraints = Some(if permitted {
        NameConstraints {
            permitted_subtrees: trees,
            excluded_subtrees: vec![],
        }
    } else {
        NameConstraints {
            permitted_subtrees: vec![],
            excluded_subtrees: trees,
        }
    });
    let int = ca(ip, &root);
    // Every name is acceptable: inside the last permitted subtree, or
    // outside every excluded one, so each costs a full pass over the subtrees.
    let names: Vec<_> = (0..sans)
        .map(|i| {
            if permitted {
                dns(&format!("n{i}.t{}.example.org", subtrees - 1))
            } else {
                dns(&format!("n{i}.example.net"))
            }
        })
        .collect();
    let l = leaf_p(params("leaf", names), &int);
    let roots = store(&[&root]);
    timed(
        &format!(
            "{sans} SANs x {subtrees} {} subtrees",
            if permitted { "permitted" } else { "excluded" }
        ),
        || {
            verify_chain(
                &roots,
                &l,
                &[int.der()],
                None,
                now(),
                KeyPurpose::ServerAuth,
            )
            .map(|_| ())
        },
    )
}

#[test]
fn name_constraints_that_multiply_out_end_in_an_error() {
    let budget = CertificateError::NameConstraintBudgetExceeded { budget: 250_000 };
    // Thousands against thousands: millions of comparisons, over budget.
    assert_eq!(multiply(2048, 2048, false), Err(budget.clone()));
    assert_eq!(multiply(2048, 2048, true), Err(budget.clone()));
    assert_eq!(multiply(1024, 1024, false), Err(budget));
    // Wide but within budget (64 x 256 = 16,384 comparisons): the names are
    // inside the last permitted subtree, so the chain verifies.
    assert_eq!(multiply(64, 256, true), Ok(()));
}
