#!/usr/bin/env bash
# Builds the container image cassandra-backup-exporter:<version> with buildah, without a
# registry: FROM scratch plus a root filesystem of exactly what the binary loads, copied from this
# machine's Debian packages (the libraries ldd names, the NSS modules getaddrinfo loads, CA
# certificates for an https Jolokia URL, and each package's copyright file). Chosen over a
# debootstrap tree: nothing that is not run (no shell, no package manager), and no
# Debian mirror needed at image build time. The Containerfile does the same with a registry.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/apt-install.sh --build buildah ca-certificates
version=$(bash scripts/version.sh)
image=${IMAGE:-cassandra-backup-exporter:$version}
export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs}

binary=$(bash scripts/build-release.sh)

root=$(mktemp -d)
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT
install -D -m 0755 -s "$binary" "$root/usr/bin/cassandra-backup-exporter"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
libraries=$(ldd "$binary" | awk '/=>/ { print $3 } /^\t\/[^ ]*ld-linux/ { print $1 }')
libraries="$libraries $(ls /lib/$multiarch/libnss_files.so.2 /lib/$multiarch/libnss_dns.so.2 2>/dev/null || true)"
packages=""
for library in $libraries; do
    real=$(readlink -f "$library")
    install -D -m "$(stat -c %a "$real")" "$real" "$root$library"
    # dpkg knows a file by the path its package ships (/lib or /usr/lib, merged on this system).
    owner=$( (dpkg -S "$real" || dpkg -S "${real#/usr}") 2>/dev/null | cut -d: -f1 | head -n 1 || true)
    packages="$packages $owner"
done
packages="$packages ca-certificates"
for package in $(echo "$packages" | tr ' ' '\n' | sort -u); do
    [ -f "/usr/share/doc/$package/copyright" ] && install -D -m 0644 "/usr/share/doc/$package/copyright" "$root/usr/share/doc/$package/copyright"
done
install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' > "$root/etc/hosts"
install -d -m 1777 "$root/tmp"
install -d "$root/proc" "$root/dev" "$root/data"

container=$(buildah from scratch)
trap 'rm -rf "$root"; buildah rm "$container" >/dev/null 2>&1 || true' EXIT
buildah copy "$container" "$root" / >/dev/null
buildah config \
    --entrypoint '["/usr/bin/cassandra-backup-exporter"]' --cmd '' \
    --user 65532:65532 --workingdir / --port 9989/tcp \
    --label org.opencontainers.image.title=cassandra-backup-exporter \
    --label "org.opencontainers.image.description=Prometheus exporter for Cassandra incremental backups and snapshots" \
    --label "org.opencontainers.image.version=$version" \
    --label "org.opencontainers.image.revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
    --label "org.opencontainers.image.created=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "$container"
buildah commit --rm "$container" "$image" >/dev/null
buildah images --format '{{.Name}}:{{.Tag}} {{.Size}}' "$image"
