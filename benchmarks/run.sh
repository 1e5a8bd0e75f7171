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
# Every figure with a target is repeated at the end with its target and whether it was met.
# Trees are generated once (fixed seed) under $BENCH_DIR (default /var/tmp/cassandra-backup-bench);
# the 1M tree takes ~2 minutes and ~1.5 GB.
set -euo pipefail
cd "$(dirname "$0")/.."
sections=("$@")
[ $# -gt 0 ] || sections=(100k 1m retention cold steady cardinality)
bench_dir=${BENCH_DIR:-/var/tmp/cassandra-backup-bench}
steady_seconds=${BENCH_STEADY_SECONDS:-1800}

bash scripts/apt-install.sh --build wrk curl time

# The installed form (the .deb's and the image's build): the Swift runtime linked in.
swift build -c release --static-swift-stdlib --scratch-path .build-static >/dev/null
bin=.build-static/release
# What the README's `swift build -c release` makes: the Swift runtime as shared libraries.
swift build -c release >/dev/null
shared_bin=.build/release

# Figures with a target, printed together at the end: "figure|value|target|met".
targets=()
target() { targets+=("$1|$2|$3|$4"); }
met() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {print ((op == "<" ? v < t : v <= t) ? "met" : "NOT MET")}'; }

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# One sample's value, asked for as Prometheus asks, so that polling adds no other format to the
# ones the daemon renders ahead (those scrapes asked for in the last 5 minutes).
metric() { curl -s --compressed -H "$prometheus_accept" "http://127.0.0.1:$1/metrics" | awk -v name="$2" '$1 == name {print $2}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
peak_mb() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
stop() { kill "$@"; wait "$@" 2>/dev/null || true; }
# Starts BINARY on TREE with FLAGS, on a random local port, and returns after its first scan:
# sets $pid and $port.
start_daemon() {
    local binary=$1 tree=$2; shift 2
    port=$(( 20000 + RANDOM % 20000 ))
    "$binary" --cassandra.data-dir "$tree" --web.listen-address "127.0.0.1:$port" --log.level warn "$@" &
    pid=$!
    until [ -n "$(metric $port cassandra_backup_scan_success)" ]; do sleep 0.1; done
}
# What Prometheus 2.x asks for: OpenMetrics first, gzip.
prometheus_accept="Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
# Server CPU per request over a 5 s wrk run (bodies already rendered), in microseconds.
scrape_request_cpu() {
    local pid=$1 port=$2; shift 2
    local before after out
    before=$(cpu_ticks $pid)
    out=$(wrk -t1 -c8 -d5s "$@" "http://127.0.0.1:$port/metrics")
    after=$(cpu_ticks $pid)
    awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$(awk '/requests in/ {print $1}' <<<"$out")" \
        'BEGIN {printf "%.1f", t / hz * 1e6 / n}'
}

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
        [ $mode = detail ] && flags=(--collector.snapshot-detail)
        local out; out=$(mktemp)
        local stats; stats=$( { /usr/bin/time -f "%e %M" "$bin/cassandra-backup-exporter" --once "${flags[@]}" --cassandra.data-dir "$tree" >"$out"; } 2>&1 | tail -n 1)
        printf '%-34s %10s %12s %10s %10s %9s\n' "$mode" "$(grep -vc '^#' "$out")" "$(wc -c <"$out")" "$(gzip -c "$out" | wc -c)" \
            "${stats% *}" "$(awk -v k="${stats#* }" 'BEGIN {printf "%.1f", k / 1024}')"
        rm -f "$out"
    done
}

# The tree of a size, generated when absent: 500 tables in 10 keyspaces, each flush linked into
# backups/, a weekly snapshot.
sized_tree() {
    local size=$1 flushes
    case $size in
        100k) flushes=11 ;;
        1m) flushes=72 ;;
    esac
    local tree="$bench_dir/$size/data"
    if [ ! -d "$tree/system" ]; then
        echo "generating the $size tree in $tree ..." >&2
        "$bin/cassandra-node-sim" --data-dir "$tree" --bulk-tables 500 --initial-flushes $flushes \
            --initial-snapshot weekly --seed 1 --populate-only
    fi
    echo "$tree"
}

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

# Cold caches: what a node whose page cache is full of SSTable data sees. Alternating runs, the
# page cache, dentries and inodes dropped before each.
cold() {
    local tree; tree=$(sized_tree 1m)
    [ "$(id -u)" = 0 ] || { echo "cold: needs root to drop the page cache" >&2; return; }
    drop() { sync; echo 3 >/proc/sys/vm/drop_caches; }
    local du_runs="" once_runs="" i
    for i in 1 2 3; do
        drop; du_runs+="$( { /usr/bin/time -f "%e" du -sb "$tree" >/dev/null; } 2>&1 | tail -n 1)"$'\n'
        drop; once_runs+="$( { /usr/bin/time -f "%e" "$bin/cassandra-backup-exporter" --once --cassandra.data-dir "$tree" >/dev/null; } 2>&1 | tail -n 1)"$'\n'
    done
    local du_s once_s ratio
    du_s=$(printf '%s' "$du_runs" | median); once_s=$(printf '%s' "$once_runs" | median)
    ratio=$(awk -v a="$once_s" -v b="$du_s" 'BEGIN {printf "%.2f", a / b}')
    echo
    echo "== cold caches, 1m tree (median of 3, caches dropped before each run; scheduler: $(schedulers)) =="
    printf '%-48s %9ss %8s\n' "du -sb, cold" "$du_s" "1.00"
    printf '%-48s %9ss %8s\n' "--once, defaults (2 threads, low priority), cold" "$once_s" "$ratio"
    target "cold full walk vs cold du -sb" "${ratio}x (${once_s} s vs ${du_s} s)" "<= 0.5x" "$(met "$ratio" "<=" 0.5)"
}

schedulers() { cat /sys/block/*/queue/scheduler 2>/dev/null | sed 's/.*\[\(.*\)\].*/\1/' | sort -u | paste -sd/; }

# The daemon on a busy node for $steady_seconds: a hard-linked copy of the 1M tree (the churn then
# changes only the copy's directories) with a churn process flushing every 20 s, compacting every
# 60 s and shipping backups/ every 15 min (each shipping run changes every table's backups/, so
# the next scan walks every table again). Prometheus' scrape (OpenMetrics, gzip) every 15 s.
# CPU per hour: the rate measured after the first scan, plus the first scan's CPU (start-up and
# a full walk) for each periodic full walk an hour holds beyond those inside the window (at the
# default interval the hourly full walk falls outside a 30-minute window).
steady_run() {
    local name=$1 interval=$2
    local root="$bench_dir/steady-$name" tree
    tree="$root/data"
    rm -rf "$root"; mkdir -p "$root"
    cp -al "$(sized_tree 1m)" "$tree"
    sleep 3  # the copy's directories changed just now: let them age past the 2 s freshness rule
    "$bin/cassandra-node-sim" --data-dir "$tree" --bulk-tables 500 --seed 2 --flush-interval 20 --compaction-interval 60 \
        --snapshot-interval 86400 --ship-interval 900 --duration "$((steady_seconds + 60))" >/dev/null &
    local churn=$!
    local pid port
    start_daemon "$bin/cassandra-backup-exporter" "$tree" --collector.interval "${interval}s"
    local first_ticks io0 start
    first_ticks=$(cpu_ticks $pid); io0=$(awk '/^read_bytes/ {print $2}' "/proc/$pid/io"); start=$(date +%s.%N)
    local latencies="$root/latencies" end
    end=$(awk -v s="$start" -v d="$steady_seconds" 'BEGIN {printf "%.0f", s + d}')
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

# Many series: 1,000 tables with 20 snapshots each, in both snapshot modes, and 250 tables to see
# whether the cost per series stays flat. The daemon re-scans an unchanged tree every 2 s and is
# scraped once per scan (as Prometheus would), so its CPU per scan is the re-scan's stamp checks
# plus one render and gzip of the exposition.
cardinality_run() {
    local tables=$1 mode=$2 tree="$bench_dir/cardinality-$1/data" flags=()
    [ "$mode" = detail ] && flags=(--collector.snapshot-detail)
    if [ ! -d "$tree/system" ]; then
        echo "generating the $tables-table tree in $tree ..." >&2
        "$bin/cassandra-node-sim" --data-dir "$tree" --bulk-tables "$tables" --initial-flushes 2 --retention-snapshots 20 \
            --seed 1 --populate-only >&2
    fi
    local pid port
    start_daemon "$bin/cassandra-backup-exporter" "$tree" --collector.interval 2s "${flags[@]}"
    sleep 4
    local t0 t1 i
    t0=$(cpu_ticks $pid)
    for i in $(seq 15); do
        curl -s -o /dev/null -H "Accept-Encoding: gzip" -H "$prometheus_accept" "http://127.0.0.1:$port/metrics"
        sleep 2
    done
    t1=$(cpu_ticks $pid)
    local series plain gzip_bytes
    series=$(curl -s "http://127.0.0.1:$port/metrics" | grep -vc '^#')
    plain=$(curl -s "http://127.0.0.1:$port/metrics" | wc -c)
    gzip_bytes=$(curl -s -H "Accept-Encoding: gzip" "http://127.0.0.1:$port/metrics" | wc -c)
    local per_scan; per_scan=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t / hz * 1000 / 15}')
    local cost_plain cost_gzip
    cost_plain=$(scrape_request_cpu $pid $port)
    cost_gzip=$(scrape_request_cpu $pid $port -H "Accept-Encoding: gzip")
    local hwm; hwm=$(peak_mb $pid)
    stop $pid
    echo "$tables|$mode|$series|$plain|$gzip_bytes|$per_scan|$cost_plain|$cost_gzip|$hwm"
}


cardinality() {
    local rows=() run
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
    # Growth: CPU per series at 1,000 tables over that at 250 tables, in the detail mode.
    local small large
    small=$(IFS='|' read -r _ _ s _ _ c _ <<<"${rows[2]}"; awk -v c="$c" -v s="$s" 'BEGIN {print c / s}')
    large=$(IFS='|' read -r _ _ s _ _ c _ <<<"${rows[3]}"; awk -v c="$c" -v s="$s" 'BEGIN {print c / s}')
    local growth; growth=$(awk -v a="$large" -v b="$small" 'BEGIN {printf "%.2f", a / b}')
    target "CPU per series, 1,000 vs 250 tables (detail)" "${growth}x" "<= 1.25x (linear)" "$(met "$growth" "<=" 1.25)"
}

for section in "${sections[@]}"; do
    case $section in
        100k|1m) walk_bench "$section" ;;
        retention) retention ;;
        cold) cold ;;
        steady) steady ;;
        cardinality) cardinality ;;
        *) echo "unknown section $section" >&2; exit 2 ;;
    esac
done

if [ ${#targets[@]} -gt 0 ]; then
    echo
    echo "== targets ($(date -u +%F), $(nproc) cores, $(uname -r), $(df -T "$bench_dir" | awk 'NR == 2 {print $2}')) =="
    printf '%-52s %-28s %-20s %s\n' "figure" "value" "target" "met"
    for row in "${targets[@]}"; do
        IFS='|' read -r figure value goal verdict <<<"$row"
        printf '%-52s %-28s %-20s %s\n' "$figure" "$value" "$goal" "$verdict"
    done
fi
