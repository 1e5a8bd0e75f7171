#!/usr/bin/env bash
# Installs what the tests need on a Debian machine, builds, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step says what runs and when it started, so a long one is not taken for a hang.
started=$SECONDS
step() { printf '\n==> [%dm%02ds] %s\n' $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)) "$*"; }

step "installing the test dependencies that are missing (apt-get)"

bash scripts/apt-install.sh --build jsonnet prometheus prometheus-alertmanager prometheus-node-exporter systemd curl gzip \
    util-linux openssl apache2-utils findutils coreutils python3 python3-venv \
    debhelper dpkg-dev fakeroot help2man lintian buildah ca-certificates \
    python3-fusepy libfuse2 e2fsprogs mount victoria-metrics iproute2

# Independent readers from PyPI: kubernetes-validate checks the Kubernetes manifests against the
# bundled API schemas, PyYAML reads YAML files, prometheus_client parses OpenMetrics strictly.
step "Python tools from PyPI in .build/python-tools"
tools=.build/python-tools
if [ ! -x "$tools/bin/kubernetes-validate" ] || ! "$tools/bin/python" -c "import prometheus_client, yaml" 2>/dev/null; then
    python3 -m venv "$tools"
    "$tools/bin/pip" install -q kubernetes-validate prometheus-client pyyaml
fi

step "building the exporter and its tests"
swift build --build-tests
step "the Swift Testing suites, serially (about 13 minutes; each test prints when it starts and ends)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# Serially: several tests block their thread on external programs (curl, promtool, Prometheus),
# and on two cores they would starve the async tests of the concurrency pool.
swift test --skip-build --no-parallel 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One plain closing line: the Swift Testing summary as "N passed, N failed".
summary=$(grep -E "Test run with [0-9]+ tests?" "$log" | tail -n 1)
total=$(sed -E 's/.*Test run with ([0-9]+) tests?.*/\1/' <<<"$summary")
failed=$(sed -nE 's/.*with ([0-9]+) issues?.*/\1/p' <<<"$summary")
# Tests that cannot run here (those that become another user need root) are reported as skipped.
skipped=$(grep -cE "^[^ ]+ Test .+ skipped" "$log" || true)
if [ "$status" -ne 0 ]; then
    echo "swift-testing: tests failed (${failed:-?} issues)"
    exit "$status"
fi

step "the unit suites under AddressSanitizer and ThreadSanitizer (about 5 minutes)"
bash scripts/sanitizers.sh

step "libFuzzer over every parser of outside input, ${FUZZ_SECONDS:-15} s per target"
bash Fuzz/run.sh "${FUZZ_SECONDS:-15}"
step "done"

echo "swift-testing: $(( ${total:-0} - ${skipped:-0} )) passed, 0 failed, ${skipped:-0} skipped"
