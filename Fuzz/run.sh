#!/usr/bin/env bash
# Fuzzes every parser that reads outside input with libFuzzer, each for a bounded time.
# Usage: bash Fuzz/run.sh [seconds per target, default 15] [target ...]
# The seed corpus is Fuzz/corpus/<target>/; new inputs go to a temporary directory, and with
# FUZZ_MERGE=1 the ones that add coverage are merged into the corpus (commit them). Each run
# starts from a random seed, so CI can find a new input: a crash prints it (base64) and leaves it
# in $FUZZ_ARTIFACTS; fix the parser and add the input to the corpus, where the tests replay it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
shift || true
targets=("$@")

# SwiftPM gives executables their own main; libFuzzer's driver is started from there
# (Fuzz/Driver). lld links it; gold fails on the sanitizer runtime here.
echo "fuzz: building the fuzz targets (.build-fuzz) ..."
build_log=$(mktemp)
if ! swift build -c release --scratch-path .build-fuzz --product cassandra-backup-fuzz \
        -Xswiftc -sanitize=fuzzer -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld >"$build_log" 2>&1; then
    tail -n 40 "$build_log"
    exit 1
fi
rm -f "$build_log"
binary=.build-fuzz/release/cassandra-backup-fuzz
# Every target the binary has (FuzzTarget in Fuzz/Targets), unless some are named.
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <("$binary" --list)
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
    if [ "${FUZZ_MERGE:-0}" = 1 ]; then
        SWIFT_BACKTRACE=enable=no FUZZ_TARGET=$target "$binary" -merge=1 "Fuzz/corpus/$target" "$work" >/dev/null 2>&1
    fi
    runs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$log")
    total=$((total + runs))
    echo "fuzz $target: $runs executions in ${seconds}s, no crash"
    rm -rf "$work"
done
echo "fuzz: $total executions over ${#targets[@]} targets"
