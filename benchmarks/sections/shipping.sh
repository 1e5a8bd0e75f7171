# Section shipping.
# What the scans after a shipping run cost, at two node sizes (the 100k and 1M trees) and two
# run sizes. On a hard-linked copy of the tree whose backups/ were shipped (emptied) once (that
# first run, clearing the tree's whole backlog, is measured too), T tables each flush 20 new
# files linked into backups/, the daemon takes them in, then the backup links are removed (the
# shipping run: N = 20 x T files). The CPU of the scans in the 4 s
# after the removal, less that of the 4 s of unchanged scans before it, averaged over 5 runs.
# At --collector.interval 2s, the scan right after the removal and the one after it (a change
# younger than 2 s is checked again) both fall in the window.
shipping_cycle_ticks() {
    local tree=$1 tables=$2 pid=$3 links=$4 generation=$5
    # A flush in each of the first $tables tables: 20 new files (4 KiB each, one SSTable's
    # components), each also linked into backups/.
    local backups table part
    while read -r backups; do
        table=${backups%/backups}
        for part in $(seq 20); do printf '%4096s' '' >"$table/nb-$generation-big-Part$part.db"; done
        ln "$table/nb-$generation-big-Part"*.db "$backups/"
    done < <(find "$tree" -mindepth 3 -maxdepth 3 -type d -name backups | sort | head -n "$tables")
    find "$tree" -path '*/backups/*' -type f >"$links"
    sleep 6  # walked, then walked again once older than the 2 s settle time: reusable
    local t0 t1 t2
    t0=$(cpu_ticks $pid); sleep 4; t1=$(cpu_ticks $pid)
    xargs -a "$links" rm -f
    sleep 4; t2=$(cpu_ticks $pid)
    echo "$((t2 - t1 - (t1 - t0)))"
}

shipping_run() {
    local size=$1 root="$bench_dir/shipping-$1" tree pid port
    tree="$root/data"
    rm -rf "$root"; mkdir -p "$root"
    cp -al "$(sized_tree "$size")" "$tree"
    # Without it, the snapshots' SSTables of the copy settled during the third of the five runs of 25
    # tables and 315 tables were walked again inside its window (54 ms "per run" on the 100k tree).
    settle_tree
    start_daemon "$bin/cassandra-backup-exporter" "$tree" --collector.interval 2s --collector.full-scan-every 100000
    local files backlog; files=$(find "$tree" -type f | wc -l); backlog=$(find "$tree" -path '*/backups/*' -type f | wc -l)
    # The backlog first: every flush of the tree's life is in backups/ and in its weekly snapshot;
    # the first shipping run clears it (the CPU over the deletion and 4 s after, less the rate of
    # unchanged scans over as long).
    sleep 6
    local t0 t1 t2 s1 s2
    t0=$(cpu_ticks $pid); sleep 4; t1=$(cpu_ticks $pid); s1=$(date +%s.%N)
    find "$tree" -path '*/backups/*' -type f -delete
    sleep 4; t2=$(cpu_ticks $pid); s2=$(date +%s.%N)
    echo "$size|$files|all|$backlog|$(awk -v a=$((t2 - t1)) -v b=$((t1 - t0)) -v d="$(awk -v x="$s1" -v y="$s2" 'BEGIN {print y - x}')" \
        -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", (a - b * d / 4) / hz * 1000}')"
    local tables run sum ticks hz; hz=$(getconf CLK_TCK)
    for tables in 25 250; do
        sum=0
        for run in 1 2 3 4 5; do
            ticks=$(shipping_cycle_ticks "$tree" "$tables" "$pid" "$root/links" "$((9000 + tables + run))")
            sum=$((sum + ticks))
        done
        echo "$size|$files|$tables|$((tables * 20))|$(awk -v t="$sum" -v hz="$hz" 'BEGIN {printf "%.1f", t / hz * 1000 / 5}')"
    done
    stop $pid
    rm -rf "$root"
}

shipping() {
    local rows=() row
    while read -r row; do rows+=("$row"); done < <(shipping_run 100k; shipping_run 1m)
    echo
    echo "== shipping: the scans after a shipping run that removes N backup files (20 in each of T tables) =="
    printf '%-6s %9s %7s %7s %22s\n' "tree" "files" "tables" "N" "extra CPU per run ms"
    for row in "${rows[@]}"; do
        IFS='|' read -r size files tables n cpu <<<"$row"
        printf '%-6s %9s %7s %7s %22s\n' "$size" "$files" "$tables" "$n" "$cpu"
    done
    # The same run on a node ten times larger: its cost should not grow with the node.
    local small large
    small=$(IFS='|' read -r _ _ _ _ c <<<"${rows[2]}"; echo "$c")
    large=$(IFS='|' read -r _ _ _ _ c <<<"${rows[5]}"; echo "$c")
    local growth; growth=$(awk -v a="$large" -v b="$small" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
    target "shipping run of 5,000 files, 1M vs 100k tree (CPU)" "$small -> $large ms (${growth}x)" "<= 2x (not with node size)" "$(met "$growth" "<=" 2)"
}
