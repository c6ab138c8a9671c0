#!/usr/bin/env bash
# The fuzz part of CI (.ci/run calls it after the test suite): builds every
# fuzz target, regenerates the seed corpora from real handshakes, and runs
# each target for LCTLS_FUZZ_SECONDS (default 20) so none of them can rot.
# LCTLS_FUZZ_CORPUS and LCTLS_FUZZ_TARGET_DIR move the corpora and the build
# (defaults fuzz/corpus, fuzz/target). Stable Rust: `--sanitizer none` needs
# no nightly (see fuzz/README.md). Measured from a cold fuzz build on this
# project's 2-core machine: 687 s (build 6 min 44 s, corpora 10 s, 9 targets
# x 20 s).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

run() {
    echo "+ $*"
    "$@"
}

secs="${LCTLS_FUZZ_SECONDS:-20}"
target_dir="${LCTLS_FUZZ_TARGET_DIR:-fuzz/target}"
corpus="${LCTLS_FUZZ_CORPUS:-fuzz/corpus}"
triple="$(rustc -vV | sed -n 's/^host: //p')"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    run cargo install cargo-fuzz --locked
fi
run cargo fuzz build -s none --target-dir "$target_dir"
# gen_corpus records lctls, rustls, openssl and gnutls handshakes; it must
# come from this build to share the targets' fixed randomness.
run "$target_dir/$triple/release/gen_corpus" "$corpus"
mkdir -p fuzz/artifacts
for t in $(cargo fuzz list); do
    [ "$t" = gen_corpus ] && continue
    run cargo fuzz run -s none --target-dir "$target_dir" "$t" "$corpus/$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="fuzz/artifacts/$t-"
done
