#!/usr/bin/env bash
# Fuzzes every parser that reads outside input with libFuzzer, each for a bounded time.
# Usage: bash Fuzz/run.sh [seconds per target, default 15] [target ...]
# The seed corpus is Fuzz/corpus/<target>/; new inputs go to a temporary directory (add the
# interesting ones to the corpus by hand). A crash leaves its input in $FUZZ_ARTIFACTS (printed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(duration web-config cassandra-yaml accept-encoding label-escaping basic-auth snapshot-manifest listen-address)

# SwiftPM gives executables their own main; libFuzzer's driver is started from there
# (Fuzz/Driver). lld links it; gold fails on the sanitizer runtime here.
swift build -c release --scratch-path .build-fuzz --product cassandra-backup-fuzz \
    -Xswiftc -sanitize=fuzzer -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld >/dev/null
binary=.build-fuzz/release/cassandra-backup-fuzz
artifacts=${FUZZ_ARTIFACTS:-$(mktemp -d)}
total=0
for target in "${targets[@]}"; do
    work=$(mktemp -d)
    log="$work/log"
    # Swift's own backtracer would take the crash signal before libFuzzer can save the input.
    if ! SWIFT_BACKTRACE=enable=no FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/$target-" \
            "$work" "Fuzz/corpus/$target" >"$log" 2>&1; then
        tail -n 30 "$log"
        echo "fuzz $target: FAILED, input saved under $artifacts"
        exit 1
    fi
    runs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$log")
    total=$((total + runs))
    echo "fuzz $target: $runs executions in ${seconds}s, no crash"
    rm -rf "$work"
done
echo "fuzz: $total executions over ${#targets[@]} targets"
