# Section cold.
# Cold caches: what a node whose page cache is full of SSTable data sees. Alternating runs, the
# page cache, dentries and inodes dropped before each.
cold() {
    local tree; tree=$(sized_tree 1m)
    [ "$(id -u)" = 0 ] || { echo "cold: needs root to drop the page cache" >&2; return; }
    local du_runs="" once_runs="" i
    for i in 1 2 3; do
        drop_caches; du_runs+="$( { /usr/bin/time -f "%e" du -sb "$tree" >/dev/null; } 2>&1 | tail -n 1)"$'\n'
        drop_caches; once_runs+="$( { /usr/bin/time -f "%e" "$bin/cassandra-backup-exporter" --once --cassandra.data-dir "$tree" >/dev/null; } 2>&1 | tail -n 1)"$'\n'
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
