#!/usr/bin/env bash
# Runs the exporter against a simulated Cassandra node (two data directories, flushes,
# compactions, snapshots and a backup-shipping job) and serves it on http://localhost:9989/.
# Knobs, from the environment:
#   LISTEN_ADDRESS  the exporter's --web.listen-address (default :9989)
#   DEMO_DIR        the simulated node's data tree and cassandra.yaml (default ./demo-data; kept
#                   between runs, delete it to start afresh)
#   DEMO_BIN        run the binaries in this directory instead of building them (e.g. .build/release)
# Ctrl-C, SIGTERM or SIGHUP stops both processes; neither outlives this script, even when it is
# killed with SIGKILL (the kernel sends each of them SIGTERM when the script dies).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${DEMO_BIN:-}" ]; then
    bash scripts/apt-install.sh --build
    swift build --product cassandra-node-sim
    swift build --product cassandra-backup-exporter
fi
bin=${DEMO_BIN:-$(swift build --show-bin-path)}
demo=${DEMO_DIR:-$PWD/demo-data}
listen=${LISTEN_ADDRESS:-:9989}
port=${listen##*:}
host=${listen%:*}
host=${host#[}; host=${host%]}
[ -n "$host" ] && [ "$host" != "0.0.0.0" ] && [ "$host" != "::" ] || host=127.0.0.1

# True when something accepts connections on the demo's port (bash's /dev/tcp: no curl needed).
answers() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }

if answers; then
    echo "demo: port $port is taken (another demo or exporter?). Pick another one:" >&2
    echo "  LISTEN_ADDRESS=:$((port + 1)) bash scripts/demo.sh" >&2
    exit 1
fi

pids=()
stop() {
    trap - EXIT
    [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

"$bin/cassandra-node-sim" --data-dir "$demo/disk1/data" --data-dir "$demo/disk2/data" \
    --write-config "$demo/cassandra.yaml" --every-snapshot-kind --populate-only
# setpriv --pdeathsig: each child gets SIGTERM when this script ends, however it ends.
setpriv --pdeathsig TERM -- "$bin/cassandra-node-sim" --data-dir "$demo/disk1/data" --data-dir "$demo/disk2/data" \
    --flush-interval 2 --compaction-interval 7 --snapshot-interval 45 --ship-interval 90 &
pids+=($!)
setpriv --pdeathsig TERM -- "$bin/cassandra-backup-exporter" --cassandra.config "$demo/cassandra.yaml" \
    --collector.interval 5s --web.listen-address "$listen" &
exporter=$!
pids+=("$exporter")

until answers; do
    if ! kill -0 "$exporter" 2>/dev/null; then
        echo "demo: the exporter did not start (its line above says why)." >&2
        exit 1
    fi
    sleep 0.2
done
echo
echo "Demo node in $demo: the simulator (pid ${pids[0]}) flushes, compacts, snapshots and ships."
echo "Exporter (pid $exporter): http://localhost:$port/  metrics: http://localhost:$port/metrics"
echo "Ctrl-C stops both; the tree stays in $demo for the next run."
echo
status=0
wait "$exporter" || status=$?
exit "$status"
