#!/usr/bin/env bash
# What the exporter costs a node, on synthetic trees shaped like a big node, next to du -sb.
# Usage: bash benchmarks/run.sh [SECTION ...]   (default: all, in this order)
#   100k, 1m     warm-cache speed, memory and scrape cost on ~100k and ~1M files
#   retention    200 tables with 30 daily user snapshots: the exposition in both snapshot modes
#   cold         cold-cache full walk against cold du -sb (drops the page cache: needs root)
#   steady       the daemon for $BENCH_STEADY_SECONDS (default 1800) on a copy of the 1M tree
#                while a churn process flushes, compacts and ships, at the default interval and
#                at --collector.interval 15s (both at once, each on its own copy and churn)
#   cardinality  1,000 tables with 20 snapshots each (and 250, to see how cost grows)
#   shipping     the scans after a shipping run of 500 and 5,000 files, on the 100k and 1M trees
#   scale        250k / 1M / 4M entries and 500 / 1,000 / 5,000 tables: walk against du -sb (warm
#                and cold), memory, first metrics, unchanged scan, busy node ($BENCH_SCALE_BUSY_SECONDS)
# Every figure with a target is repeated at the end with its target and whether it was met.
# Trees are generated once (fixed seed) under $BENCH_DIR (default /var/tmp/cassandra-backup-bench);
# the 1M tree takes ~2 minutes and ~1.5 GB.
set -euo pipefail
cd "$(dirname "$0")/.."
sections=("$@")
[ $# -gt 0 ] || sections=(100k 1m retention cold steady cardinality shipping scale)
bench_dir=${BENCH_DIR:-/var/tmp/cassandra-backup-bench}
steady_seconds=${BENCH_STEADY_SECONDS:-1800}

source benchmarks/lib.sh
for file in benchmarks/sections/*.sh; do source "$file"; done

for section in "${sections[@]}"; do
    case $section in
        100k|1m) walk_bench "$section" ;;
        retention) retention ;;
        cold) cold ;;
        steady) steady ;;
        cardinality) cardinality ;;
        shipping) shipping ;;
        scale) scale ;;
        *) echo "unknown section $section" >&2; exit 2 ;;
    esac
done

print_targets
