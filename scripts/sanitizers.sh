#!/usr/bin/env bash
# The unit test suites once under AddressSanitizer and once under ThreadSanitizer. The churn
# soak is left out: under ASan the churn outruns the slowed scanner and the tree grows without
# bound. Any sanitizer report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/unit-suites.sh
for sanitizer in address thread; do
    log=$(mktemp)
    echo "sanitizer $sanitizer: building (.build-$sanitizer) ..."
    if ! swift build --build-tests --sanitize=$sanitizer --scratch-path .build-$sanitizer >"$log" 2>&1; then
        tail -n 40 "$log"
        exit 1
    fi
    echo "sanitizer $sanitizer: running the unit suites ..."
    set +e
    ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 \
    TSAN_OPTIONS="suppressions=$PWD/scripts/tsan-suppressions.txt:halt_on_error=0:exitcode=66" \
        timeout 600 .build-$sanitizer/debug/cassandra-backup-exporterPackageTests.xctest \
        --testing-library swift-testing --filter "$unit_suites" --skip ChurnSoakTests >"$log" 2>&1
    status=$?
    set -e
    reports=$(grep -c "ERROR: AddressSanitizer\|WARNING: ThreadSanitizer" "$log" || true)
    summary=$(grep -E "Test run with" "$log" | tail -n 1 | sed 's/^[^A-Za-z]*//')
    echo "sanitizer $sanitizer: $summary; $reports reports"
    if [ "$status" -ne 0 ] || [ "$reports" -ne 0 ]; then
        # The first reports only; `|| true` because head closing the pipe early is no failure.
        grep -B2 -A25 "ERROR: AddressSanitizer\|WARNING: ThreadSanitizer\|✘" "$log" | head -n 80 || true
        exit 1
    fi
    rm -f "$log"
done
