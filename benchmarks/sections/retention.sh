# Section retention.
# The exposition of a node with a snapshot retention, in both modes.
retention() {
    local tree="$bench_dir/retention/data"
    if [ ! -d "$tree/system" ]; then
        echo "generating the retention tree in $tree ..."
        "$bin/cassandra-node-sim" --data-dir "$tree" --bulk-tables 192 --initial-flushes 2 --retention-snapshots 30 \
            --seed 1 --populate-only
    fi
    echo
    echo "== retention tree: $(find "$tree" -mindepth 2 -maxdepth 2 -type d | wc -l) tables, 30 daily snapshots each =="
    printf '%-34s %10s %12s %10s %10s %9s\n' "mode" "series" "plain bytes" "gzip bytes" "--once s" "RSS MB"
    for mode in default detail; do
        local flags=()
        [ $mode = detail ] && flags=(--collector.snapshot-detail --collector.snapshot-detail.max-series 0)  # no budget: every series
        local out; out=$(mktemp)
        local stats; stats=$( { /usr/bin/time -f "%e %M" "$bin/cassandra-backup-exporter" --once "${flags[@]}" --cassandra.data-dir "$tree" >"$out"; } 2>&1 | tail -n 1)
        printf '%-34s %10s %12s %10s %10s %9s\n' "$mode" "$(grep -vc '^#' "$out")" "$(wc -c <"$out")" "$(gzip -c "$out" | wc -c)" \
            "${stats% *}" "$(awk -v k="${stats#* }" 'BEGIN {printf "%.1f", k / 1024}')"
        rm -f "$out"
    done
}
