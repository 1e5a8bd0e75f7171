#!/usr/bin/env bash
# Runs the exporter against a simulated Cassandra node (two data directories, flushes,
# compactions, snapshots and a backup-shipping job) and serves it on http://localhost:9989/.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/apt-install.sh --build

swift build --product cassandra-node-sim
swift build --product cassandra-backup-exporter
bin=$(swift build --show-bin-path)
demo=${DEMO_DIR:-$PWD/demo-data}
listen=${LISTEN_ADDRESS:-:9989}

"$bin/cassandra-node-sim" --data-dir "$demo/disk1/data" --data-dir "$demo/disk2/data" \
    --write-config "$demo/cassandra.yaml" --every-snapshot-kind --populate-only
"$bin/cassandra-node-sim" --data-dir "$demo/disk1/data" --data-dir "$demo/disk2/data" \
    --flush-interval 2 --compaction-interval 7 --snapshot-interval 45 --ship-interval 90 &
simulator=$!
trap 'kill $simulator 2>/dev/null || true' EXIT

port=${listen##*:}
echo
echo "Demo node in $demo (simulator pid $simulator)."
echo "Exporter: http://localhost:$port/  metrics: http://localhost:$port/metrics  (Ctrl-C stops both)"
echo
"$bin/cassandra-backup-exporter" --cassandra.config "$demo/cassandra.yaml" --collector.interval 5s \
    --web.listen-address "$listen"
