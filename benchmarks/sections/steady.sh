# Section steady.
# The daemon on a busy node for $steady_seconds: a hard-linked copy of the 1M tree (the churn then
# changes only the copy's directories) whose backups/ were shipped once, with a churn process
# flushing every 20 s, compacting every 60 s and shipping backups/ every 15 min (each shipping
# run changes every table's backups/: the next scan lists them again). Prometheus' scrape
# (OpenMetrics, gzip) every 15 s.
# CPU per hour: the rate measured after the first scan, plus the first scan's CPU (start-up and
# a full walk) for each periodic full walk an hour holds beyond those inside the window (at the
# default interval the hourly full walk falls outside a 30-minute window).
# Arguments: a name, the interval in seconds, and optionally the tree to copy (default the 1M
# tree), its bulk tables (500) and the seconds to measure ($steady_seconds).
steady_run() {
    local name=$1 interval=$2 source=${3:-} tables=${4:-500} seconds=${5:-$steady_seconds}
    local root="$bench_dir/steady-$name" tree
    tree="$root/data"
    rm -rf "$root"; mkdir -p "$root"
    cp -al "${source:-$(sized_tree 1m)}" "$tree"
    # A node whose shipping job works: backups/ holds what was flushed since the last run, not
    # the generated tree's whole life (72 flushes, all in its weekly snapshot). Clearing such a
    # backlog is a one-off, measured by the shipping section.
    find "$tree" -path '*/backups/*' -type f -delete
    settle_tree
    "$bin/cassandra-node-sim" --data-dir "$tree" --bulk-tables "$tables" --seed 2 --flush-interval 20 --compaction-interval 60 \
        --snapshot-interval 86400 --ship-interval 900 --duration "$((seconds + 60))" >/dev/null &
    local churn=$!
    local pid port
    start_daemon "$bin/cassandra-backup-exporter" "$tree" --collector.interval "${interval}s"
    local first_ticks io0 start
    first_ticks=$(cpu_ticks $pid); io0=$(awk '/^read_bytes/ {print $2}' "/proc/$pid/io"); start=$(date +%s.%N)
    local latencies="$root/latencies" end
    end=$(awk -v s="$start" -v d="$seconds" 'BEGIN {printf "%.0f", s + d}')
    while [ "$(date +%s)" -lt "$end" ]; do
        curl -s -o /dev/null -w '%{time_total}\n' -H "Accept-Encoding: gzip" -H "$prometheus_accept" \
            "http://127.0.0.1:$port/metrics" >>"$latencies" || true
        sleep 15
    done
    local ticks io1 elapsed hwm
    ticks=$(cpu_ticks $pid); io1=$(awk '/^read_bytes/ {print $2}' "/proc/$pid/io")
    elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {print e - s}')
    hwm=$(peak_mb $pid)
    stop $pid $churn
    local hz cpu_hour reads_hour lat
    hz=$(getconf CLK_TCK)
    cpu_hour=$(awk -v t="$((ticks - first_ticks))" -v f="$first_ticks" -v hz="$hz" -v e="$elapsed" -v i="$interval" 'BEGIN {
        period = i * 60; per_hour = 3600 / period; inside = int(e / period) * 3600 / e
        extra = per_hour > inside ? per_hour - inside : 0
        printf "%.2f|%.2f|%.2f", t / hz * 3600 / e + extra * f / hz, t / hz * 3600 / e, f / hz }')
    reads_hour=$(awk -v b="$((io1 - io0))" -v e="$elapsed" 'BEGIN {printf "%.1f", b / 1048576 * 3600 / e}')
    lat=$(sort -g "$latencies" | awk '{a[NR] = $1 * 1000} END {printf "p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d scrapes)", a[int((NR + 1) / 2)], a[int(NR * 0.99 + 0.5)], a[NR], NR}')
    rm -rf "$root"
    echo "$name|$(awk -v e="$elapsed" 'BEGIN {printf "%.0f", e}')|$cpu_hour|$reads_hour|$hwm|$lat"
}

steady() {
    # The 1M tree first, once: generated inside the two runs at once, both would write it, and
    # the second run's churn found its files half made ("cannot create ...").
    sized_tree 1m >/dev/null
    echo
    echo "running the two steady-state runs for $steady_seconds s ..."
    local out_default out_fast
    out_default=$(mktemp); out_fast=$(mktemp)
    steady_run default 60 >"$out_default" &
    local first=$!
    steady_run interval-15s 15 >"$out_fast"
    wait $first
    echo
    echo "== steady state: 1m tree with churn (flush 20 s, compaction 60 s, shipping every 15 min), scraped every 15 s =="
    printf '%-13s %7s %11s %14s %14s %13s %8s  %s\n' "run" "seconds" "CPU-s/hour" "(measured/h" "+first scan)" "disk MB/hour" "peak MB" "scrape latency"
    local line
    for line in "$(cat "$out_default")" "$(cat "$out_fast")"; do
        IFS='|' read -r name secs cpu measured first reads hwm lat <<<"$line"
        printf '%-13s %7s %11s %14s %14s %13s %8s  %s\n' "$name" "$secs" "$cpu" "$measured" "$first" "$reads" "$hwm" "$lat"
    done
    IFS='|' read -r _ _ cpu _ _ _ hwm _ <"$out_default"
    target "steady state CPU at defaults" "$cpu CPU-s/hour" "< 3.6 CPU-s/hour" "$(met "$cpu" "<" 3.6)"
    target "steady state peak RSS at defaults" "$hwm MB" "< 40 MB" "$(met "$hwm" "<" 40)"
    rm -f "$out_default" "$out_fast"
}
