# Section cardinality.
# Many series: 1,000 tables with 20 snapshots each, in both snapshot modes, and 250 tables to see
# whether the cost per series stays flat. The daemon re-scans an unchanged tree every 2 s and is
# scraped once per scan (as Prometheus would), so its CPU per scan is the re-scan's stamp checks
# plus one render and gzip of the exposition. The trees are generated first and measured once
# their snapshots are a minute old, as the daily snapshots of a real node are: the scanner stops
# stamping a finished snapshot (one unchanged for 60 s, DataDirectoryScanner.finishedSnapshotSeconds).
cardinality_tree() {
    local tables=$1 tree="$bench_dir/cardinality-$1/data"
    if [ ! -d "$tree/system" ]; then
        echo "generating the $tables-table tree in $tree ..." >&2
        "$bin/cassandra-node-sim" --data-dir "$tree" --bulk-tables "$tables" --initial-flushes 2 --retention-snapshots 20 \
            --seed 1 --populate-only >&2
    fi
}

cardinality_run() {
    local tables=$1 mode=$2 tree="$bench_dir/cardinality-$1/data" flags=()
    # Detail without its series budget: the cost per series, as measured before the budget existed.
    [ "$mode" = detail ] && flags=(--collector.snapshot-detail --collector.snapshot-detail.max-series 0)
    local pid port
    start_daemon "$bin/cassandra-backup-exporter" "$tree" --collector.interval 2s "${flags[@]}"
    local per_scan; per_scan=$(cpu_per_cycle_ms $pid $port)
    local series plain gzip_bytes
    series=$(curl -s "http://127.0.0.1:$port/metrics" | grep -vc '^#')
    plain=$(curl -s "http://127.0.0.1:$port/metrics" | wc -c)
    gzip_bytes=$(curl -s -H "Accept-Encoding: gzip" "http://127.0.0.1:$port/metrics" | wc -c)
    local cost_plain cost_gzip
    cost_plain=$(scrape_request_cpu $pid $port)
    cost_gzip=$(scrape_request_cpu $pid $port -H "Accept-Encoding: gzip")
    local hwm; hwm=$(peak_mb $pid)
    stop $pid
    echo "$tables|$mode|$series|$plain|$gzip_bytes|$per_scan|$cost_plain|$cost_gzip|$hwm"
}


cardinality() {
    local rows=() run started
    started=$(date +%s)
    cardinality_tree 250; cardinality_tree 1000
    # Generating takes more than a second: a tree that was generated now is waited past the settle time.
    [ $(( $(date +%s) - started )) -lt 2 ] || settle_tree
    for run in "250 default" "1000 default" "250 detail" "1000 detail"; do
        rows+=("$(cardinality_run $run)")
    done
    echo
    echo "== cardinality: 20 daily snapshots per table; re-scan every 2 s, one Prometheus scrape per scan =="
    printf '%-7s %-8s %8s %11s %10s %13s %14s %13s %8s\n' "tables" "mode" "series" "plain B" "gzip B" "CPU/scan ms" "us/100 series" "scrape us p/g" "peak MB"
    local row
    for row in "${rows[@]}"; do
        IFS='|' read -r tables mode series plain gz per_scan cp cg hwm <<<"$row"
        printf '%-7s %-8s %8s %11s %10s %13s %14s %13s %8s\n' "$tables" "$mode" "$series" "$plain" "$gz" "$per_scan" \
            "$(awk -v c="$per_scan" -v s="$series" 'BEGIN {printf "%.1f", c * 1e5 / s}')" "$cp/$cg" "$hwm"
    done
    local default_1000 detail_1000
    default_1000=$(IFS='|' read -r _ _ _ _ _ c _ <<<"${rows[1]}"; echo "$c")
    detail_1000=$(IFS='|' read -r _ _ _ _ _ c _ <<<"${rows[3]}"; echo "$c")
    target "unchanged scan + one scrape, 1,000 tables x 20 snapshots" "$default_1000 ms" "<= 15 ms" "$(met "$default_1000" "<=" 15)"
    target "the same with --collector.snapshot-detail" "$detail_1000 ms" "reported" "-"
    # Growth: CPU per series at 1,000 tables over that at 250 tables, in the detail mode.
    local small large
    small=$(IFS='|' read -r _ _ s _ _ c _ <<<"${rows[2]}"; awk -v c="$c" -v s="$s" 'BEGIN {print c / s}')
    large=$(IFS='|' read -r _ _ s _ _ c _ <<<"${rows[3]}"; awk -v c="$c" -v s="$s" 'BEGIN {print c / s}')
    local growth; growth=$(awk -v a="$large" -v b="$small" 'BEGIN {printf "%.2f", a / b}')
    target "CPU per series, 1,000 vs 250 tables (detail)" "${growth}x" "<= 1.25x (linear)" "$(met "$growth" "<=" 1.25)"
}
