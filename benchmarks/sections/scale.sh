# Section scale.
# How the cost grows with the node: 250k, 1M and 4M directory entries (500 tables each; the 4M
# tree is dense: 100 SSTables per table, 7 daily snapshots, backups, a secondary index on every
# tenth table) and 500, 1,000 and 5,000 tables (the 1,000-table tree is the cardinality
# section's, 20 tags; the 5,000-table one has 10). Per tree: the warm and the cold walk against
# du -sb on the same tree in the same run, the walk's peak RSS (--once), the seconds from start
# to the first complete /metrics, an unchanged scan + one scrape, the daemon's peak RSS after
# scrapes, and the busy-node CPU (the steady section's churn, $BENCH_SCALE_BUSY_SECONDS each,
# default 480, two trees at a time).
scale_busy_seconds=${BENCH_SCALE_BUSY_SECONDS:-480}

# The tree for a row, generated when absent; prints its path.
scale_tree() {
    local name=$1 tree="$bench_dir/$1/data" flags=()
    case $name in
        1m) sized_tree 1m; return ;;
        cardinality-1000) cardinality_tree 1000; echo "$tree"; return ;;
        250k) flags=(--bulk-tables 500 --initial-flushes 19 --initial-snapshot weekly) ;;
        4m) flags=(--bulk-tables 500 --initial-flushes 100 --retention-snapshots 7) ;;
        wide-5000) flags=(--bulk-tables 5000 --initial-flushes 2 --retention-snapshots 10) ;;
    esac
    if [ ! -d "$tree/system" ]; then
        echo "generating the $name tree in $tree ..." >&2
        "$bin/cassandra-node-sim" --data-dir "$tree" "${flags[@]}" --seed 1 --populate-only >&2
    fi
    echo "$tree"
}

elapsed_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}'; }

# One tree's figures but the busy CPU, as "name|tables|entries|du warm|walk warm|du cold|walk
# cold|walk MB|first metrics s|unchanged ms|ms per 1,000 tables|daemon MB".
scale_row() {
    local name=$1 tables=$2 tree entries
    tree=$(scale_tree "$name")
    entries=$(find "$tree" | wc -l)
    du -sb "$tree" >/dev/null  # warm the cache
    local du_warm runs walk_warm walk_mb
    du_warm=$(for i in 1 2 3; do /usr/bin/time -f "%e" du -sb "$tree" 2>&1 >/dev/null; done | median)
    runs=$(for i in 1 2 3; do /usr/bin/time -f "%e %M" "$bin/cassandra-backup-exporter" --once --cassandra.data-dir "$tree" 2>&1 >/dev/null | tail -n 1; done)
    walk_warm=$(awk '{print $1}' <<<"$runs" | median)
    walk_mb=$(awk '{print $2}' <<<"$runs" | sort -g | tail -n 1 | awk '{printf "%.1f", $1 / 1024}')
    local du_cold=- walk_cold=-
    if [ "$(id -u)" = 0 ]; then
        drop_caches; du_cold=$( { /usr/bin/time -f "%e" du -sb "$tree" >/dev/null; } 2>&1 | tail -n 1)
        drop_caches; walk_cold=$( { /usr/bin/time -f "%e" "$bin/cassandra-backup-exporter" --once --cassandra.data-dir "$tree" >/dev/null; } 2>&1 | tail -n 1)
    fi
    # The daemon from a cold start: start_daemon returns once /metrics has the first scan.
    drop_caches 2>/dev/null || true
    local started first pid port
    started=$(date +%s.%N)
    start_daemon "$bin/cassandra-backup-exporter" "$tree" --collector.interval 2s
    first=$(elapsed_since "$started")
    local per_scan; per_scan=$(cpu_per_cycle_ms $pid $port)
    wrk -t1 -c8 -d5s -H "Accept-Encoding: gzip" -H "$prometheus_accept" "http://127.0.0.1:$port/metrics" >/dev/null
    local hwm; hwm=$(peak_mb $pid)
    stop $pid
    echo "$name|$tables|$entries|$du_warm|$walk_warm|$du_cold|$walk_cold|$walk_mb|$first|$per_scan|$(awk -v c="$per_scan" -v t="$tables" 'BEGIN {printf "%.1f", c * 1000 / t}')|$hwm"
}

scale() {
    local rows=() busy=() row
    local -A tables=([250k]=500 [1m]=500 [4m]=500 [cardinality-1000]=1000 [wide-5000]=5000)
    local names=(250k 1m 4m cardinality-1000 wide-5000) name started
    started=$(date +%s)
    for name in "${names[@]}"; do scale_tree "$name" >/dev/null; done
    # Generating takes more than a second: a tree that was generated now is waited past the settle time.
    [ $(( $(date +%s) - started )) -lt 2 ] || settle_tree
    for name in "${names[@]}"; do rows+=("$(scale_row "$name" "${tables[$name]}")"); done
    echo
    echo "running the busy-node runs for $scale_busy_seconds s, two at a time ..."
    local out=() i
    for i in "${!names[@]}"; do
        out[i]=$(mktemp)
        steady_run "scale-${names[i]}" 60 "$(scale_tree "${names[i]}")" "${tables[${names[i]}]}" "$scale_busy_seconds" >"${out[i]}" &
        (( i % 2 == 0 )) || wait
    done
    wait
    for i in "${!names[@]}"; do busy[i]=$(IFS='|' read -r _ _ cpu _ <"${out[i]}"; echo "$cpu"); rm -f "${out[i]}"; done

    echo
    echo "== scale: the walk against du -sb, memory, the unchanged scan and the busy node, by size =="
    printf '%-17s %6s %9s %17s %17s %8s %8s %15s %9s %8s %10s\n' "tree" "tables" "entries" "warm du/walk s" "cold du/walk s" \
        "walk MB" "first s" "unchanged ms" "per 1k" "daemon MB" "busy CPU-s/h"
    for i in "${!rows[@]}"; do
        IFS='|' read -r name tbl entries du_w walk_w du_c walk_c walk_mb first per_scan per_1000 hwm <<<"${rows[i]}"
        printf '%-17s %6s %9s %17s %17s %8s %8s %15s %9s %8s %10s\n' "$name" "$tbl" "$entries" "$du_w/$walk_w" "$du_c/$walk_c" \
            "$walk_mb" "$first" "$per_scan" "$per_1000" "$hwm" "${busy[i]}"
        local ratio
        ratio=$(awk -v a="$walk_c" -v b="$du_c" 'BEGIN {if (b == "-" || b == 0) print "-"; else printf "%.2f", a / b}')
        target "scale $name: cold walk vs cold du -sb" "${ratio}x" "<= 0.4x" "$(met "$ratio" "<=" 0.4)"
        target "scale $name: unchanged scan + scrape per 1,000 tables" "$per_1000 ms" "<= 15 ms" "$(met "$per_1000" "<=" 15)"
        case $name in
            cardinality-1000) target "scale $name: daemon peak RSS (1,000 tables x 20 snapshots)" "$hwm MB" "<= 40 MB" "$(met "$hwm" "<=" 40)" ;;
            4m|wide-5000) target "scale $name: daemon peak RSS" "$hwm MB" "<= 64 MB" "$(met "$hwm" "<=" 64)" ;;
        esac
    done
    target "scale 1m: busy node" "${busy[1]} CPU-s/hour" "<= 3.6" "$(met "${busy[1]}" "<=" 3.6)"
    local fourfold; fourfold=$(awk -v a="${busy[2]}" -v b="${busy[1]}" 'BEGIN {printf "%.2f", a / b}')
    target "scale 4m: busy node against 1m" "${busy[2]} CPU-s/hour (${fourfold}x)" "<= 4x" "$(met "$fourfold" "<=" 4)"
}
