#!/usr/bin/env bash
# Lints mixin/ (default: the repository's; $1 names another) as node-mixin's and
# kubernetes-mixin's Makefiles do: every jsonnet file formatted as `jsonnetfmt` writes it, then
# mixin/lint.py's rules over the rendered rules and dashboards. Exits non-zero on any finding.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mixin=${1:-$here/mixin}
command -v jsonnetfmt >/dev/null || bash "$here/scripts/apt-install.sh" jsonnet
status=0
while IFS= read -r -d '' file; do
    jsonnetfmt --test "$file" || { echo "$file: not formatted as jsonnetfmt writes it (jsonnetfmt -i $file)"; status=1; }
done < <(find "$mixin" \( -name '*.jsonnet' -o -name '*.libsonnet' \) -not -path '*/vendor/*' -print0)
jsonnet "$mixin/lint.jsonnet" | python3 "$mixin/lint.py" || status=1
exit $status
