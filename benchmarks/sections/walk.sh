# Sections 100k and 1m: warm-cache speed, memory and scrape cost against du -sb.
# The daemon's peak RSS (VmHWM) after its first scan, four re-scans and 5 s of scrape load.
daemon_peak_mb() {
    local pid port
    start_daemon "$1" "$2" --collector.interval 3s
    sleep 12.5
    wrk -t1 -c8 -d5s -H "Accept-Encoding: gzip" "http://127.0.0.1:$port/metrics" >/dev/null
    peak_mb $pid
    stop $pid
}

walk_bench() {
    local size=$1 tree
    tree=$(sized_tree "$size")
    files=$(find "$tree" -type f | wc -l)
    dirs=$(find "$tree" -type d | wc -l)
    du -sb "$tree" >/dev/null  # warm the cache

    du_s=$(for i in 1 2 3; do /usr/bin/time -f "%e" du -sb "$tree" 2>&1 >/dev/null; done | median)
    once1=$(for i in 1 2 3; do /usr/bin/time -f "%e" "$bin/cassandra-backup-exporter" --once --collector.parallelism 1 \
        --cassandra.data-dir "$tree" 2>&1 >/dev/null | tail -n 1; done | median)
    once2=$(for i in 1 2 3; do /usr/bin/time -f "%e %M" "$bin/cassandra-backup-exporter" --once --collector.parallelism 2 \
        --cassandra.data-dir "$tree" 2>&1 >/dev/null | tail -n 1; done | sort -g | sed -n 2p)
    once2_s=${once2% *}; once2_kb=${once2#* }
    # The parallel scan must give exactly the single-threaded numbers.
    volatile='^(process_|cassandra_backup_scan_(duration|last_success)|cassandra_backup_filesystem_avail)'
    if diff <("$bin/cassandra-backup-exporter" --once --collector.parallelism 1 --cassandra.data-dir "$tree" | grep -Ev "$volatile") \
            <("$bin/cassandra-backup-exporter" --once --collector.parallelism 2 --cassandra.data-dir "$tree" | grep -Ev "$volatile") >/dev/null; then
        same="identical"
    else
        same="DIFFERENT"
    fi

    # The daemon: full scan, then unchanged re-scans (reusing unchanged tables), then scrapes.
    start_daemon "$bin/cassandra-backup-exporter" "$tree" --collector.interval 3s
    trap 'kill $pid 2>/dev/null || true' EXIT
    full_scan=$(metric $port cassandra_backup_scan_duration_seconds)
    local reused_series='cassandra_backup_scan_tables{result="reused"}'
    until [ "$(metric $port "$reused_series")" != "" ] && [ "$(metric $port "$reused_series")" != "0" ]; do sleep 0.5; done
    rescans=""
    for i in 1 2 3; do sleep 3.1; rescans+="$(metric $port cassandra_backup_scan_duration_seconds)"$'\n'; done
    rescan=$(printf '%s' "$rescans" | median)
    reused=$(metric $port "$reused_series")
    hwm=$(peak_mb $pid)
    body=$(curl -s "http://127.0.0.1:$port/metrics" | wc -c)

    gzip_body=$(curl -s -H "Accept-Encoding: gzip" "http://127.0.0.1:$port/metrics" | wc -c)
    cost_openmetrics="$(scrape_request_cpu $pid $port -H "Accept-Encoding: gzip" -H "$prometheus_accept") us"
    cost_gzip="$(scrape_request_cpu $pid $port -H "Accept-Encoding: gzip") us"
    cost_plain="$(scrape_request_cpu $pid $port) us"
    stop $pid; trap - EXIT

    ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
    echo
    echo "== $size tree: $files files in $dirs directories ($(nproc) cores, $(uname -r)) =="
    printf '%-48s %10s %8s\n' "measurement" "value" "vs du"
    printf '%-48s %9ss %8s\n' "du -sb (median of 3)" "$du_s" "1.00"
    printf '%-48s %9ss %8s\n' "--once, 1 thread (whole process)" "$once1" "$(ratio "$once1" "$du_s")"
    printf '%-48s %9ss %8s\n' "--once, 2 threads (whole process)" "$once2_s" "$(ratio "$once2_s" "$du_s")"
    printf '%-48s %10s\n' "2-thread result vs 1-thread result" "$same"
    printf '%-48s %9ss %8s\n' "daemon first scan, 2 threads (in-process)" "$full_scan" "$(ratio "$full_scan" "$du_s")"
    printf '%-48s %9ss %8s\n' "daemon unchanged re-scan ($reused tables reused)" "$rescan" "$(ratio "$rescan" "$du_s")"
    printf '%-48s %8s MB\n' "--once peak RSS" "$(awk -v k="$once2_kb" 'BEGIN {printf "%.1f", k / 1024}')"
    printf '%-48s %8s MB\n' "daemon peak RSS after 5 scans and a scrape load" "$hwm"
    printf '%-48s %s\n' "scrape body: plain / gzip (bytes)" "$body / $gzip_body"
    printf '%-48s %s\n' "server CPU per scrape, OpenMetrics gzip (Prometheus)" "$cost_openmetrics"
    printf '%-48s %s\n' "server CPU per scrape, 0.0.4 text gzip" "$cost_gzip"
    printf '%-48s %s\n' "server CPU per scrape, plain text" "$cost_plain"
    if [ "$size" = 1m ]; then
        local static_mb shared_mb
        static_mb=$(daemon_peak_mb "$bin/cassandra-backup-exporter" "$tree")
        shared_mb=$(daemon_peak_mb "$shared_bin/cassandra-backup-exporter" "$tree")
        printf '%-48s %8s MB\n' "daemon peak RSS, installed build (static runtime)" "$static_mb"
        printf '%-48s %8s MB\n' "daemon peak RSS, swift build -c release (shared)" "$shared_mb"
        target "daemon peak RSS, 1M files, installed build" "$static_mb MB" "< 40 MB" "$(met "$static_mb" "<" 40)"
        target "daemon peak RSS, 1M files, swift build -c release" "$shared_mb MB" "< 40 MB" "$(met "$shared_mb" "<" 40)"
    fi
}
