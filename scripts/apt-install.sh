#!/usr/bin/env bash
# Installs the named Debian packages that are not installed yet (apt-get, sudo when not root).
# Usage: bash scripts/apt-install.sh [--list] [--build] [--runtime] [PACKAGE...]
#   --build adds what building the exporter needs, --runtime what its binary loads (the one list
#   of each: the README, the Containerfile and the other scripts use these); --list prints the
#   packages, one per line, instead of installing them.
set -euo pipefail
build=(libmicrohttpd-dev libgnutls28-dev libcrypt-dev zlib1g-dev libyaml-dev libcurl4-gnutls-dev pkg-config)
runtime=(libmicrohttpd12 zlib1g libyaml-0-2 libcurl3-gnutls libcrypt1 ca-certificates)
wanted=()
list=false
for argument in "$@"; do
    case "$argument" in
        --build) wanted+=("${build[@]}") ;;
        --runtime) wanted+=("${runtime[@]}") ;;
        --list) list=true ;;
        -h|--help) sed -n '2,6s/^# \{0,1\}//p' "$0"; exit 0 ;;
        -*) echo "apt-install.sh: unknown option $argument (see --help)" >&2; exit 64 ;;
        *) wanted+=("$argument") ;;
    esac
done
if $list; then
    printf '%s\n' "${wanted[@]}"
    exit 0
fi
missing=()
for package in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -gt 0 ] || exit 0
echo "Installing: ${missing[*]}"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
