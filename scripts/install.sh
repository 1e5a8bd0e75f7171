#!/usr/bin/env bash
# Builds the release binary (scripts/build-release.sh) and installs it as
# $DESTDIR$PREFIX/bin/cassandra-backup-exporter. The binary still loads Debian's
# libmicrohttpd12, zlib1g, libyaml-0-2 and libcurl3-gnutls at run time (apt-get install them on the target).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${PREFIX:-/usr/local}
bash scripts/apt-install.sh --build
binary=$(bash scripts/build-release.sh)
install -D -m 0755 "$binary" "${DESTDIR:-}$prefix/bin/cassandra-backup-exporter"
echo "installed ${DESTDIR:-}$prefix/bin/cassandra-backup-exporter"
