#!/usr/bin/env bash
# Builds one release binary with the Swift runtime linked in (--static-swift-stdlib) and installs
# it as $DESTDIR$PREFIX/bin/cassandra-backup-exporter. The binary still loads Debian's
# libmicrohttpd12, zlib1g, libyaml-0-2 and libcurl3-gnutls at run time (apt-get install them on the target).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${PREFIX:-/usr/local}
bash scripts/apt-install.sh --build
swift build -c release --static-swift-stdlib --scratch-path .build-static --product cassandra-backup-exporter
install -D -m 0755 .build-static/release/cassandra-backup-exporter "${DESTDIR:-}$prefix/bin/cassandra-backup-exporter"
echo "installed ${DESTDIR:-}$prefix/bin/cassandra-backup-exporter"
