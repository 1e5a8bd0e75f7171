#!/usr/bin/env bash
# Installs what the tests need on a Debian machine, builds, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libmicrohttpd-dev zlib1g-dev pkg-config libcrypt-dev libgnutls28-dev prometheus prometheus-alertmanager systemd curl gzip util-linux
          openssl apache2-utils
          findutils coreutils python3 python3-venv)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# kubernetes-validate (PyPI) checks the Kubernetes manifests against the bundled API schemas.
tools=.build/python-tools
if [ ! -x "$tools/bin/kubernetes-validate" ]; then
    python3 -m venv "$tools"
    "$tools/bin/pip" install -q kubernetes-validate
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
if [ "$status" -ne 0 ]; then
    echo "swift-testing: tests failed (${failed:-?} issues)"
    exit "$status"
fi

# The unit suites under AddressSanitizer and ThreadSanitizer.
bash scripts/sanitizers.sh

# libFuzzer over every parser of outside input, bounded (FUZZ_SECONDS per target).
bash Fuzz/run.sh "${FUZZ_SECONDS:-15}"

echo "swift-testing: ${total:-0} passed, 0 failed"
