#!/usr/bin/env bash
# Builds dist/cassandra-backup-exporter_<version>_<arch>.deb with Debian's own tools: the static
# release binary (Swift runtime linked in), packaged by debhelper from debian/ (dependencies by
# dpkg-shlibdeps, the unit enabled and started by dh_installsystemd's maintainer scripts, the
# man page from --help by help2man). DEB_VERSION overrides the package version (default: the
# exporter's version, Debian revision 1); DEBFULLNAME and DEBEMAIL name the maintainer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/apt-install.sh --build debhelper dpkg-dev fakeroot help2man
upstream=$(bash scripts/version.sh)
version=${DEB_VERSION:-$upstream-1}
maintainer="${DEBFULLNAME:-cassandra-backup-exporter packagers} <${DEBEMAIL:-packagers@example.org}>"

binary=$(bash scripts/build-release.sh)

stage=dist/build/cassandra-backup-exporter-$version
rm -rf dist/build && mkdir -p "$stage/docs" dist
cp -r debian alerts dashboards README.md "$stage/"
cp docs/runbook.md docs/metrics.md "$stage/docs/"
cp "$binary" "$stage/"
sed "s/@MAINTAINER@/$maintainer/" debian/control > "$stage/debian/control"
# The unit of deploy/systemd, with the packaged binary's path and without the by-hand install notes.
{
    echo "# Installed by the cassandra-backup-exporter package; flags go in /etc/default/cassandra-backup-exporter."
    sed -n '/^\[Unit\]/,$p' deploy/systemd/cassandra-backup-exporter.service | sed 's#/usr/local/bin/#/usr/bin/#'
} > "$stage/debian/cassandra-backup-exporter.service"
# The textfile service and timer for nodes scraped through node_exporter: installed, not enabled.
for unit in service timer; do
    {
        echo "# Installed by the cassandra-backup-exporter package, not enabled: systemctl enable --now cassandra-backup-exporter-textfile.timer"
        sed -n '/^\[Unit\]/,$p' "deploy/systemd/cassandra-backup-exporter-textfile.$unit" | sed 's#/usr/local/bin/#/usr/bin/#'
    } > "$stage/debian/cassandra-backup-exporter.cassandra-backup-exporter-textfile.$unit"
done
cat > "$stage/debian/changelog" <<CHANGELOG
cassandra-backup-exporter ($version) unstable; urgency=medium

  * Release $version, built from revision $(git rev-parse --short HEAD 2>/dev/null || echo unknown).

 -- $maintainer  $(date -R)
CHANGELOG
(cd "$stage" && dpkg-buildpackage -b -us -uc --no-sign >/dev/null)
rm -f dist/*.deb
mv dist/build/*.deb dist/
rm -rf dist/build
ls -l dist/*.deb
