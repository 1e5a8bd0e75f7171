#!/usr/bin/env bash
# Builds one release binary with the Swift runtime linked in (--static-swift-stdlib) and installs
# it as $DESTDIR$PREFIX/bin/cassandra-backup-exporter. The binary still loads Debian's
# libmicrohttpd12, zlib1g and libcurl3-gnutls at run time (apt-get install them on the target).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${PREFIX:-/usr/local}
for package in libmicrohttpd-dev libcrypt-dev libgnutls28-dev zlib1g-dev pkg-config libcurl4-gnutls-dev; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
        $sudo_cmd apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
            libmicrohttpd-dev libcrypt-dev libgnutls28-dev zlib1g-dev pkg-config libcurl4-gnutls-dev >/dev/null
        break
    fi
done
swift build -c release --static-swift-stdlib --scratch-path .build-static --product cassandra-backup-exporter
install -D -m 0755 .build-static/release/cassandra-backup-exporter "${DESTDIR:-}$prefix/bin/cassandra-backup-exporter"
echo "installed ${DESTDIR:-}$prefix/bin/cassandra-backup-exporter"
