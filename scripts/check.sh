#!/usr/bin/env bash
# The quick check before a commit (`make check`, a few minutes): the mixin's format and lint,
# the build, the unit suites, and the documentation's links. `make test` runs everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/unit-suites.sh
bash scripts/lint-mixin.sh
swift build --build-tests
swift test --skip-build --filter "$unit_suites|DocumentationTests" --skip ChurnSoakTests
