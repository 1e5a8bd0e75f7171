#!/usr/bin/env bash
# Installs what the tests need on a Debian machine, builds, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/apt-install.sh --build jsonnet prometheus prometheus-alertmanager prometheus-node-exporter systemd curl gzip \
    util-linux openssl apache2-utils findutils coreutils python3 python3-venv \
    debhelper dpkg-dev fakeroot help2man lintian buildah ca-certificates \
    python3-fusepy libfuse2 e2fsprogs mount victoria-metrics iproute2

# Independent readers from PyPI: kubernetes-validate checks the Kubernetes manifests against the
# bundled API schemas, PyYAML reads YAML files, prometheus_client parses OpenMetrics strictly.
tools=.build/python-tools
if [ ! -x "$tools/bin/kubernetes-validate" ] || ! "$tools/bin/python" -c "import prometheus_client, yaml" 2>/dev/null; then
    python3 -m venv "$tools"
    "$tools/bin/pip" install -q kubernetes-validate prometheus-client pyyaml
fi

swift build --build-tests
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

# The unit suites under AddressSanitizer and ThreadSanitizer.
bash scripts/sanitizers.sh

# libFuzzer over every parser of outside input, bounded (FUZZ_SECONDS per target).
bash Fuzz/run.sh "${FUZZ_SECONDS:-15}"

echo "swift-testing: $(( ${total:-0} - ${skipped:-0} )) passed, 0 failed, ${skipped:-0} skipped"
