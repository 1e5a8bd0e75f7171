#!/usr/bin/env bash
# The one release build of the exporter that install, `make deb`, `make image`, `make bench` and
# the Containerfile ship: optimised, the Swift runtime linked in (--static-swift-stdlib), in its
# own scratch directory so it never invalidates the debug build. Prints the binary's path.
# The binary still loads Debian's libmicrohttpd12, zlib1g, libyaml-0-2 and libcurl3-gnutls.
# Usage: bash scripts/build-release.sh [SCRATCH_PATH [PRODUCT]]
#   (default .build-static and cassandra-backup-exporter; `make bench` also builds the simulator)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${1:-.build-static}
product=${2:-cassandra-backup-exporter}
swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product "$product" >&2
echo "$scratch/release/$product"
