# The benchmarks' shared part, sourced by benchmarks/run.sh: the builds, the tree generator, the
# daemon helpers and the targets table. Expects $bench_dir and $steady_seconds.

bash scripts/apt-install.sh --build wrk curl time

# The installed form (the .deb's and the image's build, scripts/build-release.sh): the Swift
# runtime linked in; the simulator beside it.
bin=$(dirname "$(bash scripts/build-release.sh)")
bash scripts/build-release.sh .build-static cassandra-node-sim >/dev/null
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
# The page cache, dentries and inodes dropped (root only): a cold start, as after a reboot.
drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }
# A tree generated or copied just now has directories that changed just now: the exporter would
# find every snapshot's SSTables pending (--collector.sstable-settle, 60 s) and, once they settle,
# walk every table again to judge them, inside whatever window is being measured. Waits them past
# it, as on a node whose last snapshot is older than a minute.
settle_tree() { sleep 62; }
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
# CPU per collection cycle, in milliseconds, of a daemon re-scanning every 2 s: 15 cycles, each
# with one Prometheus scrape, after 4 s for the first re-scans.
cpu_per_cycle_ms() {
    local pid=$1 port=$2 t0 t1 i
    sleep 4
    t0=$(cpu_ticks $pid)
    for i in $(seq 15); do
        curl -s -o /dev/null -H "Accept-Encoding: gzip" -H "$prometheus_accept" "http://127.0.0.1:$port/metrics"
        sleep 2
    done
    t1=$(cpu_ticks $pid)
    awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t / hz * 1000 / 15}'
}
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


# The targets as the markdown table the README's "What it costs a node" section takes.
print_targets() {
    [ ${#targets[@]} -gt 0 ] || return 0
    echo
    echo "Targets ($(date -u +%F), $(nproc) cores, $(uname -r), $(df -T "$bench_dir" | awk 'NR == 2 {print $2}')):"
    echo
    echo "| figure | value | target | met |"
    echo "|---|---|---|---|"
    local row figure value goal verdict
    for row in "${targets[@]}"; do
        IFS='|' read -r figure value goal verdict <<<"$row"
        echo "| $figure | $value | $goal | $verdict |"
    done
}
