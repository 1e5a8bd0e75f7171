#!/usr/bin/env bash
# Scan speed, memory and scrape cost on synthetic trees shaped like a big node, next to du -sb.
# Usage: bash benchmarks/run.sh [100k|1m|retention ...]   (default: all three). "retention" is
# 200 tables with 30 daily user snapshots each: the exposition in the default mode and with
# --collector.snapshot-detail. Trees are generated once (fixed
# seed) under $BENCH_DIR (default /var/tmp/cassandra-backup-bench); the 1M tree takes ~2 minutes
# and ~1.5 GB.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-100k 1m retention}")
[ $# -gt 0 ] || sizes=(100k 1m retention)
bench_dir=${BENCH_DIR:-/var/tmp/cassandra-backup-bench}

bash scripts/apt-install.sh --build wrk curl time

# The shipped form: one binary with the Swift runtime linked in.
swift build -c release --static-swift-stdlib --scratch-path .build-static >/dev/null
bin=.build-static/release

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
metric() { curl -s "http://127.0.0.1:$1/metrics" | awk -v name="$2" '$1 == name {print $2}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

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

for size in "${sizes[@]}"; do
    if [ "$size" = retention ]; then retention; continue; fi
    case $size in
        100k) tables=500; flushes=11 ;;
        1m) tables=500; flushes=72 ;;
        *) echo "unknown size $size (100k or 1m)" >&2; exit 2 ;;
    esac
    tree="$bench_dir/$size/data"
    if [ ! -d "$tree/system" ]; then
        echo "generating the $size tree in $tree ..."
        "$bin/cassandra-node-sim" --data-dir "$tree" --bulk-tables $tables --initial-flushes $flushes \
            --initial-snapshot weekly --seed 1 --populate-only
    fi
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
    port=$(( 20000 + RANDOM % 20000 ))
    "$bin/cassandra-backup-exporter" --cassandra.data-dir "$tree" --web.listen-address "127.0.0.1:$port" \
        --collector.interval 3s --log.level warn &
    pid=$!
    trap 'kill $pid 2>/dev/null || true' EXIT
    until [ -n "$(metric $port cassandra_backup_scan_success)" ]; do sleep 0.2; done
    full_scan=$(metric $port cassandra_backup_scan_duration_seconds)
    until [ "$(curl -s "http://127.0.0.1:$port/metrics" | awk '$1 == "cassandra_backup_scan_tables{result=\"reused\"}" {print $2}')" != "" ] \
        && [ "$(curl -s "http://127.0.0.1:$port/metrics" | awk '$1 == "cassandra_backup_scan_tables{result=\"reused\"}" {print $2}')" != "0" ]; do sleep 0.5; done
    rescans=""
    for i in 1 2 3; do sleep 3.1; rescans+="$(metric $port cassandra_backup_scan_duration_seconds)"$'\n'; done
    rescan=$(printf '%s' "$rescans" | median)
    reused=$(curl -s "http://127.0.0.1:$port/metrics" | awk '$1 == "cassandra_backup_scan_tables{result=\"reused\"}" {print $2}')
    hwm_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    body=$(curl -s "http://127.0.0.1:$port/metrics" | wc -c)

    gzip_body=$(curl -s -H "Accept-Encoding: gzip" "http://127.0.0.1:$port/metrics" | wc -c)
    # Server CPU per request: the exporter's own CPU time over a wrk run, divided by requests.
    scrape_cost() {
        local before after out requests
        before=$(cpu_ticks $pid)
        out=$(wrk -t1 -c8 -d10s "$@" "http://127.0.0.1:$port/metrics")
        after=$(cpu_ticks $pid)
        requests=$(awk '/requests in/ {print $1}' <<<"$out")
        awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" -v rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
            'BEGIN {printf "%.1f us at %.0f scrapes/s", t / hz * 1e6 / n, rps}'
    }
    # What Prometheus 2.x asks for: OpenMetrics first, gzip.
    prometheus_accept="Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
    cost_openmetrics=$(scrape_cost -H "Accept-Encoding: gzip" -H "$prometheus_accept")
    cost_gzip=$(scrape_cost -H "Accept-Encoding: gzip")
    cost_plain=$(scrape_cost)
    kill $pid; wait $pid 2>/dev/null || true; trap - EXIT

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
    printf '%-48s %8s MB\n' "daemon peak RSS after 5 scans and a scrape load" "$(awk -v k="$hwm_kb" 'BEGIN {printf "%.1f", k / 1024}')"
    printf '%-48s %s\n' "scrape body: plain / gzip (bytes)" "$body / $gzip_body"
    printf '%-48s %s\n' "server CPU per scrape, OpenMetrics gzip (Prometheus)" "$cost_openmetrics"
    printf '%-48s %s\n' "server CPU per scrape, 0.0.4 text gzip" "$cost_gzip"
    printf '%-48s %s\n' "server CPU per scrape, plain text" "$cost_plain"
done
