#!/usr/bin/env python3
"""Writes the operator-story unit tests (story-*.test.yml) for promtool.

Each story is a node's life sampled every minute, as Prometheus scrapes it, with realistic byte
sizes, and the alerts that must fire (from when) and stay silent (at many evaluation times). The
arithmetic of each story is in its docstring and copied into the file's header. Run
`python3 mixin/tests/stories.py` after changing a story; a test fails when the committed files
differ from a fresh run. Python, not hand-written YAML: a month at one sample per minute is
43,200 values per series, written as the runs of straight lines they are.
"""
import inspect
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NODE = 'job="cassandra-backup",instance="n1:9989"'
DIR = NODE + ',data_dir="/var/lib/cassandra/data"'
TABLE = DIR + ',keyspace="shop",table="orders",table_id="5a1c395e32b611eeb5ad0242ac120002"'
GB = 10**9
TB = 10**12
MINUTE, HOUR, DAY = 1, 60, 1440


def compress(values):
    """promtool's expanding notation for a list of per-minute values (None: no sample)."""
    out, i = [], 0
    while i < len(values):
        v = values[i]
        if v is None or v == "stale":
            out.append("_" if v is None else "stale")
            i += 1
            continue
        j = i + 1
        step = values[j] - v if j < len(values) and isinstance(values[j], int) else 0
        while j < len(values) and isinstance(values[j], int) and values[j] - values[j - 1] == step:
            j += 1
        n = j - i - 1
        if n == 0:
            out.append(str(v))
        elif step == 0:
            out.append(f"{v}x{n}")
        else:
            out.append(f"{v}{'+' if step > 0 else '-'}{abs(step)}x{n}")
        i = j
    return " ".join(out)


def duration(minutes):
    d, rest = divmod(minutes, DAY)
    h, m = divmod(rest, HOUR)
    text = (f"{d}d" if d else "") + (f"{h}h" if h else "") + (f"{m}m" if m else "")
    return text or "0m"


def humanize1024(value):
    """Prometheus' humanize1024 template function, for the expected descriptions."""
    prefixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"]
    i = 0
    while abs(value) >= 1024 and i < len(prefixes) - 1:
        value /= 1024
        i += 1
    return f"{value:.4g}{prefixes[i]}"


def firing(severity, summary, description, per_directory=True):
    """An alert as it fires for this node (and its data directory)."""
    labels = {"job": "cassandra-backup", "instance": "n1:9989"}
    if per_directory:
        labels["data_dir"] = "/var/lib/cassandra/data"
    return {"labels": {**labels, "severity": severity}, "annotations": {"summary": summary, "description": description}}


def page(per_hour):
    """The page, with the growth per hour in its description."""
    return firing("critical", "Cassandra data disk /var/lib/cassandra/data on n1:9989 is filling up with backups or snapshots.",
                  f"Bytes that only backups/ or snapshots keep alive on /var/lib/cassandra/data (n1:9989) grow by "
                  f"{humanize1024(per_hour)}B per hour, enough to fill the disk within 24h or most of what fills it. "
                  "Ship and clear backups/, or clear snapshots that are no longer needed, before Cassandra stops on a full disk.")


def share(percent):
    return firing("warning", "Backups and snapshots hold a large share of /var/lib/cassandra/data on n1:9989.",
                  f"Files that only backups/ or only snapshots keep alive take {percent} of the filesystem of "
                  "/var/lib/cassandra/data on n1:9989; shipping and clearing them would free that space.")


def not_shipped(age):
    return firing("warning", "Incremental backups on n1:9989 are not being shipped.",
                  f"The oldest file in a backups/ directory on n1:9989 is {age} old: the job that ships and clears backups/ "
                  "has stopped or is failing.", per_directory=False)


class Story:
    def __init__(self, name, doc, minutes):
        self.name, self.doc, self.minutes = name, doc, minutes
        self.series, self.checks = [], []

    def add(self, metric, labels, value):
        """A series from a function of the minute (None: no sample, "stale": a staleness marker)."""
        self.series.append((f"{metric}{{{labels}}}", [value(t) for t in range(self.minutes + 1)]))

    def expect(self, minute, alert, firing=None):
        self.checks.append((minute, alert, firing or []))

    def silent(self, alert, minutes):
        for minute in minutes:
            self.expect(minute, alert)

    def yaml(self):
        lines = []
        lines += ["  # " + line if line else "  #" for line in inspect.cleandoc(self.doc).splitlines()]
        lines += ["  - interval: 1m", "    name: " + self.name, "    input_series:"]
        for name, values in self.series:
            lines += [f"    - series: '{name}'", f"      values: '{compress(values)}'"]
        lines += ["    alert_rule_test:"]
        for minute, alert, firing in self.checks:
            lines += [f"    - eval_time: {duration(minute)}", f"      alertname: {alert}"]
            if not firing:
                lines += ["      exp_alerts: []"]
                continue
            lines += ["      exp_alerts:"]
            for entry in firing:
                lines += ["      - exp_labels:"] + [f"          {k}: {v}" for k, v in entry["labels"].items()]
                lines += ["        exp_annotations:"] + [f"          {k}: '{v}'" for k, v in entry["annotations"].items()]
        return "\n".join(lines)


def fast_fill():
    """Backups fill a disk fast: the page must lead a full disk by 12 hours.

    2 TB data disk with 195 GB free and a flat day behind it (backups hold 5 GB of their own).
    At 1d the shipping job stops while compaction keeps removing the originals of backed-up
    SSTables: bytes only backups/ keeps grow 15 GB/h (250 MB a minute), and free space falls by
    as much. 195 GB / 15 GB/h = 13 h: the disk is full at 1d13h.
    Goal: the page by 1d1h (within 1 h of the start, a lead of 12 h). The rules' growth signal is
    the least 10-minute slope over 30 minutes, so the page is pending from about 1d0h36m and
    fires 5 minutes later.
    """
    start, rate, free = DAY, 250_000_000, 195 * GB
    story = Story("backups fill the disk at 15 GB/h", fast_fill.__doc__, start + 13 * HOUR)
    grown = lambda t: max(0, t - start) * rate
    story.add("cassandra_backup_filesystem_size_bytes", DIR, lambda t: 2 * TB)
    story.add("cassandra_backup_filesystem_avail_bytes", DIR, lambda t: free - grown(t))
    story.add("cassandra_backup_exclusive_bytes", TABLE, lambda t: 5 * GB + grown(t))
    story.silent("CassandraBackupDiskFillingUp", range(0, start + 31, 10))
    for minute in [start + HOUR + h * HOUR for h in range(0, 12)]:
        story.expect(minute, "CassandraBackupDiskFillingUp", [page(15 * GB)])
    return story


def faster_fill():
    """Backups fill a disk within hours: the page must come within one hour of the start.

    Same disk, 195 GB free; bytes only backups/ keeps grow 60 GB/h (1 GB a minute) from 2h on:
    full at 5h15m. Goal: the page by 3h.
    """
    start, rate, free = 2 * HOUR, GB, 195 * GB
    story = Story("backups fill the disk at 60 GB/h", faster_fill.__doc__, start + 195)
    grown = lambda t: max(0, t - start) * rate
    story.add("cassandra_backup_filesystem_size_bytes", DIR, lambda t: 2 * TB)
    story.add("cassandra_backup_filesystem_avail_bytes", DIR, lambda t: free - grown(t))
    story.add("cassandra_backup_exclusive_bytes", TABLE, lambda t: 5 * GB + grown(t))
    story.silent("CassandraBackupDiskFillingUp", range(0, start + 31, 10))
    for minute in [start + HOUR, start + 2 * HOUR, start + 3 * HOUR]:
        story.expect(minute, "CassandraBackupDiskFillingUp", [page(60 * GB)])
    return story


def healthy_month():
    """A healthy month on a full disk: nothing may page.

    2 TB data disk, 88% full: 240 GB free when backups/, snapshots and compactions hold nothing.
    Every day: the shipping job runs at 01:00 and clears backups/ (oldest file age back to 0);
    minor compactions make 0.6 GB/h of backups exclusive; one major compaction from 10:00 to 12:00
    writes 60 GB of new SSTables (free space falls 30 GB/h, 3% of the disk for two hours), and
    when it ends its inputs go, but the 20 GB of them that backups/ still links stay (a 20 GB step
    of exclusive bytes). A user snapshot taken every Sunday at 03:00 (day 6, 13, 20, 27) holds
    5 GB more of its own after each major compaction and is cleared a week later at 02:00.
    Lowest free space: 144 GB (day 12 at 11:59, a major compaction at its peak and the snapshot
    holding 30 GB); backups and snapshots together hold at most 3.5% of the disk; the oldest backup
    is at most 24 h old.
    The page, the share warning and the shipping warning stay silent at every check: every 3 h,
    and inside and after each major compaction (11:50, 12:10, 12:40).
    """
    minutes = 30 * DAY
    story = Story("a healthy month on an 88% full disk", healthy_month.__doc__, minutes)

    def backups(t):
        day, minute = divmod(t, DAY)
        since_ship = minute - 60 if minute >= 60 else minute + DAY - 60 if day > 0 else minute
        exclusive = since_ship * 10_000_000
        if minute >= 720 or (minute < 60 and day > 0):
            exclusive += 20 * GB  # the day's major compaction ended (yesterday's, before 01:00)
        return exclusive

    def compactions_ended(t):
        """Major compactions that ended at or before minute t."""
        return (t - 720) // DAY + 1 if t >= 720 else 0

    def snapshot(t):
        day, minute = divmod(t, DAY)
        if day in (13, 20, 27) and 120 <= minute < 180:
            return 0  # last week's snapshot cleared at 02:00, this week's not yet taken
        taken = [d * DAY + 180 for d in (6, 13, 20, 27) if d * DAY + 180 <= t]
        return 5 * GB * (compactions_ended(t) - compactions_ended(taken[-1])) if taken else 0

    def compaction(t):
        minute = t % DAY
        return (minute - 600) * 500_000_000 if 600 <= minute < 720 else 0

    def oldest_file(t):
        day, minute = divmod(t, DAY)
        last_ship = day * DAY + 60 if minute >= 60 else (day - 1) * DAY + 60 if day > 0 else 0
        return last_ship * 60

    free = lambda t: 240 * GB - backups(t) - snapshot(t) - compaction(t)
    story.add("cassandra_backup_filesystem_size_bytes", DIR, lambda t: 2 * TB)
    story.add("cassandra_backup_filesystem_avail_bytes", DIR, free)
    story.add("cassandra_backup_exclusive_bytes", TABLE, backups)
    story.add("cassandra_backup_table_snapshots_exclusive_bytes", TABLE, snapshot)
    story.add("cassandra_backup_oldest_file_timestamp_seconds", TABLE, oldest_file)
    checks = sorted(set(range(3 * HOUR, minutes + 1, 3 * HOUR))
                    | {d * DAY + m for d in range(30) for m in (710, 730, 760)})
    for alert in ["CassandraBackupDiskFillingUp", "CassandraBackupLargeShareOfDisk", "CassandraBackupNotShipped"]:
        story.silent(alert, checks)
    return story


def live_data_fills():
    """Live data fills the disk, backups are shipped: the backup page stays silent.

    2 TB disk with 450 GB free at 00:00. Live data grows 19.2 GB/h (320 MB a minute: a bulk load);
    backups/ gains 0.42 GB/h of exclusive bytes (7 MB a minute) and is shipped and cleared at
    01:00. Free space falls 19.62 GB/h; the disk is full at about 22h55m. Backups are 2% of the
    fill and 0.42 GB/h x 24 h = 10 GB is more than the free space only in the last half hour, so
    the page stays silent at every 10-minute check until 22h20m (free space then about 12 GB).
    node_exporter's filesystem alerts are the ones that report this disk.
    """
    minutes = 22 * HOUR + 55
    story = Story("live data fills the disk, backups shipped daily", live_data_fills.__doc__, minutes)
    backups = lambda t: (t if t < 60 else t - 60) * 7_000_000
    story.add("cassandra_backup_filesystem_size_bytes", DIR, lambda t: 2 * TB)
    story.add("cassandra_backup_filesystem_avail_bytes", DIR, lambda t: 450 * GB - t * 320_000_000 - backups(t))
    story.add("cassandra_backup_exclusive_bytes", TABLE, backups)
    story.silent("CassandraBackupDiskFillingUp", range(0, 22 * HOUR + 21, 10))
    return story


def exporter_restart():
    """An exporter restart in the middle of an incident: nothing resolves, nothing pages again.

    The shipping job stopped three days ago (oldest file in backups/ from -3d), and backups fill a
    2 TB disk at 15 GB/h from 0h (free 300 GB: full at 20h); backups/ holds 400 GB of its own
    (20% of the disk) and grows. At 5h the exporter restarts: one scrape fails (Prometheus writes
    staleness markers) and two more find nothing, so for three minutes every series is absent.
    The page, the share warning and the shipping warning fire before the gap, at every minute of
    it and after it (keep_firing_for: 30m).
    """
    minutes = 8 * HOUR
    story = Story("an exporter restart while the page fires", exporter_restart.__doc__, minutes)
    gap = {5 * HOUR: "stale", 5 * HOUR + 1: None, 5 * HOUR + 2: None}
    scraped = lambda value: lambda t: gap[t] if t in gap else value(t)
    story.add("cassandra_backup_filesystem_size_bytes", DIR, scraped(lambda t: 2 * TB))
    story.add("cassandra_backup_filesystem_avail_bytes", DIR, scraped(lambda t: 300 * GB - t * 250_000_000))
    story.add("cassandra_backup_exclusive_bytes", TABLE, scraped(lambda t: 400 * GB + t * 250_000_000))
    story.add("cassandra_backup_oldest_file_timestamp_seconds", TABLE, scraped(lambda t: -3 * 86400))
    for minute in [4 * HOUR] + list(range(5 * HOUR - 2, 5 * HOUR + 8)) + [6 * HOUR, 7 * HOUR]:
        # During the gap a kept alert shows the value of its last evaluation with data.
        seen = 5 * HOUR - 1 if minute in gap else minute
        age = 3 * 86400 + seen * 60
        d, rest = divmod(age, 86400)
        h, rest = divmod(rest, 3600)
        story.expect(minute, "CassandraBackupDiskFillingUp", [page(15 * GB)])
        story.expect(minute, "CassandraBackupNotShipped", [not_shipped(f"{d}d {h}h {rest // 60}m 0s")])
        story.expect(minute, "CassandraBackupLargeShareOfDisk", [share(f"{(400 * GB + seen * 250_000_000) / (2 * TB) * 100:.4g}%")])
    return story


def snapshot_pins():
    """A snapshot pins a quarter of the disk over ten days: the share warning fires.

    2 TB disk with 700 GB free; backups hold 1 GB of their own. A snapshot kept by mistake holds
    35 MB more of its own every minute (2.1 GB/h, 50.4 GB a day) as compaction removes the
    originals: 504 GB (25.2% of the disk) after ten days. Together they pass 20% (400 GB) at
    399 GB / 35 MB = 11,400 minutes (7d22h); after 30 minutes pending the share warning fires.
    The page stays silent: 50.4 GB a day never exceeds the free space (196 GB at the end).
    """
    minutes = 10 * DAY
    story = Story("a snapshot pins a quarter of the disk over ten days", snapshot_pins.__doc__, minutes)
    story.add("cassandra_backup_filesystem_size_bytes", DIR, lambda t: 2 * TB)
    story.add("cassandra_backup_filesystem_avail_bytes", DIR, lambda t: 700 * GB - t * 35_000_000)
    story.add("cassandra_backup_exclusive_bytes", TABLE, lambda t: GB)
    story.add("cassandra_backup_table_snapshots_exclusive_bytes", TABLE, lambda t: t * 35_000_000)
    story.silent("CassandraBackupLargeShareOfDisk", range(0, 7 * DAY + 22 * HOUR + 1, 6 * HOUR))
    story.expect(8 * DAY, "CassandraBackupLargeShareOfDisk", [share("20.21%")])
    story.expect(10 * DAY, "CassandraBackupLargeShareOfDisk", [share("25.25%")])
    story.silent("CassandraBackupDiskFillingUp", range(0, minutes + 1, 6 * HOUR))
    return story


def snapshot_fills():
    """Snapshot growth fills a disk: the page counts snapshots too.

    2 TB disk with 100 GB free; a snapshot's own bytes grow 4.8 GB/h (80 MB a minute) from 1h:
    4.8 GB/h x 24 h = 115 GB is more than the free space, so the page fires within the hour.
    """
    start, minutes = HOUR, 4 * HOUR
    story = Story("a snapshot fills the disk", snapshot_fills.__doc__, minutes)
    grown = lambda t: max(0, t - start) * 80_000_000
    story.add("cassandra_backup_filesystem_size_bytes", DIR, lambda t: 2 * TB)
    story.add("cassandra_backup_filesystem_avail_bytes", DIR, lambda t: 100 * GB - grown(t))
    story.add("cassandra_backup_exclusive_bytes", TABLE, lambda t: GB)
    story.add("cassandra_backup_table_snapshots_exclusive_bytes", TABLE, lambda t: 10 * GB + grown(t))
    story.silent("CassandraBackupDiskFillingUp", range(0, start + 31, 10))
    story.expect(start + HOUR, "CassandraBackupDiskFillingUp", [page(4.8 * GB)])
    story.expect(start + 2 * HOUR, "CassandraBackupDiskFillingUp", [page(4.8 * GB)])
    return story


FILES = {
    "story-page-in-time.test.yml": [fast_fill, faster_fill],
    "story-healthy-month.test.yml": [healthy_month],
    "story-live-data-fills.test.yml": [live_data_fills],
    "story-exporter-restart.test.yml": [exporter_restart],
    "story-snapshots.test.yml": [snapshot_pins, snapshot_fills],
}


def render(stories):
    header = ["# Generated by mixin/tests/stories.py (operator stories, one sample per minute): edit that, then run it.",
              "rule_files:", "- ../../alerts/cassandra-backup.rules.yml", "evaluation_interval: 1m", "tests:"]
    return "\n".join(header + [story().yaml() for story in stories]) + "\n"


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    for name, stories in FILES.items():
        with open(os.path.join(out, name), "w") as f:
            f.write(render(stories))
