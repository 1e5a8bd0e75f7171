#!/usr/bin/env bash
# Renders mixin/ into the files users take without jsonnet: alerts/cassandra-backup.rules.yml,
# dashboards/*.json and deploy/kubernetes/prometheusrule.yaml, under the directory named by $1
# (default: the repository), with _config overridden by the jsonnet object $2 (default: none).
# The test suite renders into a temporary directory and compares.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here}
command -v jsonnet >/dev/null || bash "$here/scripts/apt-install.sh" jsonnet
mkdir -p "$out/alerts" "$out/dashboards" "$out/deploy/kubernetes"
jsonnet -S -m "$out" --tla-code "config=${2:-{\}}" "$here/mixin/render.jsonnet" >/dev/null
