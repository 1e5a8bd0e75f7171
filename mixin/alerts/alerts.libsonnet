// Alerting rules. Each alert's expression reads the exporter's series through _config.selector
// and its thresholds from _config; its runbook section is docs/runbook.md#<alert name in lower case>.
{
  local c = $._config,
  // Every series an alert joins comes from one target and carries that target's labels: joins
  // match on all labels (or ignore only the exporter's own), so no label the scrape adds is lost.
  local growth = 'instance_data_dir:cassandra_backup_reclaimable_bytes:min_over_time%s_deriv%s' % [c.sustainedGrowthSpan, c.growthWindow],
  local availTrend = 'instance_data_dir:cassandra_backup_filesystem_avail_bytes:deriv%s' % c.diskTrendWindow,

  // The annotations every alert has, plus runbook_url when a pattern is configured.
  local alert(name, expr, forDuration, severity, summary, description, keepFiring=true) = {
    alert: name,
    expr: expr,
    'for': forDuration,
    [if keepFiring && c.keepFiringFor != '' then 'keep_firing_for']: c.keepFiringFor,
    labels: { severity: severity },
    annotations: {
      summary: summary,
      // Written over several lines in this file, one line in the rule (as YAML's folded scalars did).
      description: std.strReplace(std.rstripChars(description, '\n'), '\n', ' '),
    } + (if c.runbookURLPattern == '' then {} else { runbook_url: c.runbookURLPattern % std.asciiLower(name) }),
  },

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'cassandra-backup',
        rules: [
          // The page. Growth of what only backups/ and snapshots keep alive, sustained over
          // every short window of a longer span, either fills the free space within the horizon
          // on its own, or is the main share of a fill that does. Live data filling the disk
          // (node_exporter's filesystem alerts) and one-off steps (a compaction ending) do not page.
          alert(
            'CassandraBackupDiskFillingUp',
            |||
              %(growth)s * 3600 > 0
              and
              (
                %(growth)s * %(horizon)d
                  > cassandra_backup_filesystem_avail_bytes{%(selector)s}
                or
                (
                  %(growth)s
                    >= %(share)g * -%(availTrend)s
                  and
                  cassandra_backup_filesystem_avail_bytes{%(selector)s}
                    + %(availTrend)s * %(horizon)d < 0
                )
              )
            ||| % { growth: growth, horizon: c.diskFullHorizonSeconds, selector: c.selector, share: c.diskFillMainShare, availTrend: availTrend },
            '5m',
            'critical',
            'Cassandra data disk {{ $labels.data_dir }} on {{ $labels.instance }} is filling up with backups or snapshots.',
            |||
              Bytes that only backups/ or snapshots keep alive on {{ $labels.data_dir }} ({{ $labels.instance }}) grow by
              {{ $value | humanize1024 }}B per hour, enough to fill the disk within %(horizon)s or most of what fills it.
              Ship and clear backups/, or clear snapshots that are no longer needed, before Cassandra stops on a full disk.
            ||| % { horizon: '%dh' % (c.diskFullHorizonSeconds / 3600) },
          ),

          alert(
            'CassandraBackupNotShipped',
            |||
              time() - instance:cassandra_backup_oldest_file_timestamp_seconds:min > %d
            ||| % c.maxUnshippedAgeSeconds,
            '15m',
            'warning',
            'Incremental backups on {{ $labels.instance }} are not being shipped.',
            |||
              The oldest file in a backups/ directory on {{ $labels.instance }} is {{ $value | humanizeDuration }} old:
              the job that ships and clears backups/ has stopped or is failing.
            |||,
          ),

          alert(
            'CassandraBackupLargeShareOfDisk',
            |||
              instance_data_dir:cassandra_backup_reclaimable_bytes_per_filesystem_size_bytes:ratio > %g
            ||| % c.maxReclaimableDiskRatio,
            '30m',
            'warning',
            'Backups and snapshots hold a large share of {{ $labels.data_dir }} on {{ $labels.instance }}.',
            |||
              Files that only backups/ or only snapshots keep alive take {{ $value | humanizePercentage }} of the filesystem of
              {{ $labels.data_dir }} on {{ $labels.instance }}; shipping and clearing them would free that space.
            |||,
          ),

          alert(
            'CassandraBackupAutomaticSnapshotForgotten',
            |||
              (
                time() - cassandra_backup_snapshot_tag_created_timestamp_seconds{%(selector)s, origin=~"dropped|truncated|pre_scrub|upgrade|diagnostic"}
                  > %(age)d
              )
              and
              (cassandra_backup_snapshot_tag_exclusive_bytes{%(selector)s} > 0)
            ||| % { age: c.maxAutomaticSnapshotAgeSeconds, selector: c.selector },
            '1h',
            'warning',
            'The {{ $labels.origin }} snapshot {{ $labels.snapshot }} on {{ $labels.instance }} has been forgotten.',
            |||
              Cassandra took the snapshot {{ $labels.snapshot }} ({{ $labels.origin }}) on {{ $labels.instance }}
              {{ $value | humanizeDuration }} ago and it still holds disk space of its own. Ship it if it is needed,
              then clear it with nodetool clearsnapshot -t {{ $labels.snapshot }}.
            |||,
          ),

          alert(
            'CassandraBackupRepairSnapshotLeftBehind',
            |||
              time() - cassandra_backup_snapshot_tag_created_timestamp_seconds{%s, origin="repair"} > %d
            ||| % [c.selector, c.maxRepairSnapshotAgeSeconds],
            '15m',
            'warning',
            'A repair left its snapshot {{ $labels.snapshot }} behind on {{ $labels.instance }}.',
            |||
              The repair snapshot {{ $labels.snapshot }} on {{ $labels.instance }} is {{ $value | humanizeDuration }} old:
              the repair session that took it died without clearing it.
            |||,
          ),

          alert(
            'CassandraBackupSnapshotExpired',
            |||
              time() - cassandra_backup_snapshot_tag_expires_timestamp_seconds{%s} > %d
            ||| % [c.selector, c.snapshotExpiryGraceSeconds],
            '15m',
            'warning',
            'The snapshot {{ $labels.snapshot }} on {{ $labels.instance }} is past its expiry and still on disk.',
            |||
              The snapshot {{ $labels.snapshot }} on {{ $labels.instance }} expired {{ $value | humanizeDuration }} ago.
              A running Cassandra clears expired snapshots within about a minute: the node is down, or the snapshot
              was copied in by hand.
            |||,
          ),

          alert(
            'CassandraBackupEnabledOnlyAtRuntime',
            |||
              cassandra_backup_incremental_enabled{%(selector)s, source="runtime"} == 1
              and ignoring (source)
              cassandra_backup_incremental_enabled{%(selector)s, source="config"} == 0
            ||| % { selector: c.selector },
            '10m',
            'warning',
            'Incremental backup on {{ $labels.instance }} is enabled at runtime only.',
            |||
              {{ $labels.instance }} takes incremental backups because of nodetool enablebackup, but cassandra.yaml
              says incremental_backups false: the next restart turns backups off.
            |||,
          ),

          alert(
            'CassandraBackupDisabledAtRuntime',
            |||
              cassandra_backup_incremental_enabled{%(selector)s, source="runtime"} == 0
              and ignoring (source)
              cassandra_backup_incremental_enabled{%(selector)s, source="config"} == 1
            ||| % { selector: c.selector },
            '10m',
            'warning',
            'Incremental backup on {{ $labels.instance }} is disabled at runtime although cassandra.yaml enables it.',
            |||
              {{ $labels.instance }} takes no incremental backups (nodetool disablebackup) while cassandra.yaml says
              incremental_backups true: flushes since then are not backed up, and the next restart turns backups back on.
            |||,
          ),

          // Opt-in per target: add the target label incremental_backups_expected="true" in the
          // scrape configuration (static_configs labels, file_sd, relabeling).
          alert(
            'CassandraBackupIncrementalDisabled',
            |||
              cassandra_backup_incremental_enabled{%(selector)s, source="runtime", incremental_backups_expected="true"} == 0
              or
              (
                cassandra_backup_incremental_enabled{%(selector)s, source="config", incremental_backups_expected="true"} == 0
                unless ignoring (source) cassandra_backup_incremental_enabled{%(selector)s, source="runtime"}
              )
            ||| % { selector: c.selector },
            '15m',
            'warning',
            'Incremental backup is off on {{ $labels.instance }}, where it is expected on.',
            |||
              {{ $labels.instance }} is marked incremental_backups_expected="true" but incremental backup is off
              ({{ $labels.source }}): new SSTables are not backed up.
            |||,
          ),

          // Resolves as soon as the target answers again: it is about the gap itself.
          alert(
            'CassandraBackupExporterDown',
            'up{%(selector)s} == 0 or absent(up{%(selector)s})' % { selector: c.selector },
            '10m',
            'warning',
            '{{ if $labels.instance }}cassandra-backup-exporter {{ $labels.instance }} cannot be scraped.{{ else }}No cassandra-backup-exporter target is scraped.{{ end }}',
            |||
              {{ if $labels.instance }}Prometheus cannot scrape the exporter on {{ $labels.instance }}{{ else }}Prometheus has no
              target matching %s{{ end }}: backup growth is not measured there, and no other backup alert can fire for it.
            ||| % c.selector,
            keepFiring=false,
          ),

          alert(
            'CassandraBackupScanFailing',
            'cassandra_backup_scan_success{%s} == 0' % c.selector,
            '15m',
            'warning',
            'cassandra-backup-exporter on {{ $labels.instance }} cannot scan the data directories.',
            |||
              The last scans on {{ $labels.instance }} failed (a data directory cannot be opened, or the exporter ran out of
              file descriptors or memory); the values served are from the last good scan and grow staler.
            |||,
          ),

          alert(
            'CassandraBackupScanStale',
            'time() - cassandra_backup_scan_last_success_timestamp_seconds{%s} > %d' % [c.selector, c.maxScanAgeSeconds],
            '5m',
            'warning',
            'The last successful backup scan on {{ $labels.instance }} is old.',
            |||
              The last successful scan on {{ $labels.instance }} ended {{ $value | humanizeDuration }} ago: the values
              served do not describe the disk now.
            |||,
          ),

          alert(
            'CassandraBackupScanSlow',
            'cassandra_backup_scan_duration_seconds{%(selector)s} > cassandra_backup_collector_interval_seconds{%(selector)s}' % { selector: c.selector },
            '30m',
            'info',
            'Backup scans on {{ $labels.instance }} take longer than their interval.',
            |||
              A scan on {{ $labels.instance }} takes {{ $value | humanizeDuration }}, longer than --collector.interval:
              scans run back to back and the node's disks get no rest.
            |||,
          ),

          alert(
            'CassandraBackupStateProbeFailing',
            'cassandra_backup_state_probe_success{%s} == 0' % c.selector,
            '30m',
            'warning',
            'The {{ $labels.source }} incremental-backup state of {{ $labels.instance }} cannot be read.',
            |||
              Reading the {{ $labels.source }} state (config: cassandra.yaml; runtime: nodetool statusbackup or Jolokia) on
              {{ $labels.instance }} fails: the last good value is served and drift cannot be detected.
            |||,
          ),

          // A hung or failing mount: the exporter reports it within --collector.walk-timeout and
          // keeps the directory's last values meanwhile, so no other alert resolves because of it.
          alert(
            'CassandraBackupDataDirStuck',
            'cassandra_backup_data_dir_stuck{%s} == 1' % c.selector,
            '5m',
            'warning',
            'Cassandra data directory {{ $labels.data_dir }} on {{ $labels.instance }} does not answer.',
            |||
              A statvfs, listing or table walk in {{ $labels.data_dir }} on {{ $labels.instance }} has not returned for
              minutes: the filesystem hangs (NFS, FUSE, a dying disk). Backup figures for it are the last measured ones;
              cassandra_backup_table_stuck_seconds names the tables. Cassandra's own reads and flushes there hang too.
            |||,
          ),

          // ext4 remounts itself read-only after an error (errors=remount-ro): Cassandra can no
          // longer flush or compact there, whatever the backups do.
          alert(
            'CassandraBackupFilesystemReadOnly',
            'cassandra_backup_filesystem_readonly{%s} == 1' % c.selector,
            '1m',
            'critical',
            'Cassandra data directory {{ $labels.data_dir }} on {{ $labels.instance }} is on a read-only filesystem.',
            |||
              The filesystem of {{ $labels.data_dir }} on {{ $labels.instance }} is mounted read-only, usually remounted
              so by the kernel after a disk or filesystem error: Cassandra cannot flush memtables, compact or write
              commit log segments there and will stop or fail writes.
            |||,
          ),

          // Would it restore: SSTables in backups/ lacking a component, judged once they settled.
          alert(
            'CassandraBackupIncompleteSSTables',
            'cassandra_backup_incomplete_sstables{%s} > 0' % c.selector,
            '30m',
            'warning',
            'Incremental backups of {{ $labels.keyspace }}.{{ $labels.table }} on {{ $labels.instance }} hold incomplete SSTables.',
            |||
              {{ $value }} SSTables in backups/ of {{ $labels.keyspace }}.{{ $labels.table }} ({{ $labels.data_dir }}) on
              {{ $labels.instance }} lack Data.db, their primary index, TOC.txt or a component TOC.txt lists: what ships
              from there would not restore. A shipping job that deleted part of an SSTable, or a disk that lost files.
            |||,
          ),

          // A snapshot a restore would rely on, judged across data directories. Repair and
          // diagnostic snapshots are not restored from (a repair's has no schema.cql).
          alert(
            'CassandraBackupSnapshotUnrestorable',
            'cassandra_backup_snapshot_tag_unrestorable_tables{%s, origin!~"repair|diagnostic"} > 0' % c.selector,
            '30m',
            'warning',
            'Snapshot {{ $labels.snapshot }} on {{ $labels.instance }} would not restore ({{ $labels.reason }}).',
            |||
              {{ $value }} tables of the {{ $labels.origin }} snapshot {{ $labels.snapshot }} on {{ $labels.instance }} would
              not restore: {{ $labels.reason }} (incomplete_sstable: a component Cassandra cannot rebuild is missing;
              missing_file: manifest.json names a Data.db that is on no data directory; no_manifest; no_schema: no
              schema.cql). Take the snapshot again before relying on it.
            |||,
          ),

          // Fail closed: the exporter keeps the last good web settings (users, TLS) when
          // --web.config.file cannot be read or parsed, and says so here.
          alert(
            'CassandraBackupExporterConfigReloadFailing',
            'cassandra_backup_exporter_config_last_reload_successful{%s} == 0' % c.selector,
            '10m',
            'warning',
            'cassandra-backup-exporter on {{ $labels.instance }} cannot read its {{ $labels.file }} configuration.',
            |||
              The last reads of the exporter's {{ $labels.file }} configuration (or a certificate file it names) on
              {{ $labels.instance }} failed: the file is missing, unreadable or invalid. The last good settings stay in
              force, so an edit (a new password, a rotated certificate) has not taken effect.
            |||,
          ),
          // --collector.snapshot-detail passes its series budget: some tables' user snapshots
          // have no per-(table, tag) series, where the operator who turned detail on expects them.
          alert(
            'CassandraBackupSnapshotDetailOverBudget',
            'cassandra_backup_snapshot_detail_dropped_series{%s} > 0' % c.selector,
            '1h',
            'info',
            'cassandra-backup-exporter on {{ $labels.instance }} leaves out {{ $value }} snapshot detail series.',
            |||
              --collector.snapshot-detail on {{ $labels.instance }} would emit more per-(table, tag) series than
              --collector.snapshot-detail.max-series allows, so {{ $value }} series of the later tables' user snapshots
              are not emitted. The per-table and per-tag snapshot series are complete. Raise the budget only with the
              exporter's memory limit (about 1.7 kB per series), or clear old snapshots.
            |||,
          ),
        ],
      },
      {
        name: 'cassandra-backup-fleet',
        rules: [
          // Backup tools take one tag on every node; a tag that most nodes of a cluster hold but
          // some do not, after a grace period, is a backup with holes. Per-node tags (nodetool
          // snapshot without -t names it by the node's clock) are on one node only, and automatic
          // snapshots are not taken cluster-wide, so neither fires.
          alert(
            'CassandraBackupSnapshotMissingOnNodes',
            |||
              (
                cluster_snapshot:cassandra_backup_snapshot_tag_nodes:count > 1
              )
              >= ignoring (snapshot, origin) group_left ()
                (%(share)g * cluster:cassandra_backup_exporters:count)
              and
              cluster_snapshot:cassandra_backup_snapshot_tag_nodes:count
                < ignoring (snapshot, origin) group_left () cluster:cassandra_backup_exporters:count
            ||| % { share: c.snapshotTagNodeShare },
            c.snapshotTagGrace,
            'warning',
            'Snapshot {{ $labels.snapshot }} is missing on some nodes of the cluster.',
            |||
              The {{ $labels.origin }} snapshot {{ $labels.snapshot }} is on {{ $value }} nodes of the cluster but not on
              every one: a backup of the cluster from it would miss the data of the others. Nodes without it:
              {{ range printf `group by (instance) (cassandra_backup_scan_success{%(selector)s, %(cluster)s=%%q}) unless on (instance) cassandra_backup_snapshot_tag_tables{%(selector)s, snapshot=%%q}` (index $labels "%(cluster)s") $labels.snapshot | query }}{{ .Labels.instance }} {{ end }}
            ||| % { selector: c.selector, cluster: c.clusterLabel },
          ),
        ],
      },
    ],
  },
}
