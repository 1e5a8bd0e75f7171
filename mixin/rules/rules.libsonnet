// Recording rules: per data directory and per node roll-ups the alerts and dashboards read.
//
// They aggregate away only the exporter's own labels (`without`), so every label the scrape adds
// (cluster, datacenter, namespace, pod, team...) stays on the result and reaches every alert: the
// labels Alertmanager routes and groups by, and what keeps nodes of different clusters apart
// under a Thanos or Mimir ruler. Names follow Prometheus' level:metric:operations convention.
{
  prometheusRules+:: {
    local c = $._config,
    local tableLabels = 'keyspace, table, table_id',
    groups+: [
      // Per cluster (what the nodes' series share once their node labels are left out): how many
      // nodes hold each snapshot tag taken by an operator or a backup tool, and how many nodes
      // report at all; CassandraBackupSnapshotMissingOnNodes compares the two.
      {
        name: 'cassandra-backup-fleet.rules',
        rules: [
          {
            record: 'cluster_snapshot:cassandra_backup_snapshot_tag_nodes:count',
            expr: 'count without (%s) (cassandra_backup_snapshot_tag_tables{%s, origin=~"user|medusa"})' % [c.nodeLabels, c.selector],
          },
          {
            record: 'cluster:cassandra_backup_exporters:count',
            expr: 'count without (%s) (cassandra_backup_scan_success{%s})' % [c.nodeLabels, c.selector],
          },
        ],
      },
      {
        name: 'cassandra-backup.rules',
        rules: [
          {
            record: 'instance_data_dir:cassandra_backup_exclusive_bytes:sum',
            expr: 'sum without (%s) (cassandra_backup_exclusive_bytes{%s})' % [tableLabels, c.selector],
          },
          {
            record: 'instance_data_dir:cassandra_backup_exclusive_bytes_per_filesystem_size_bytes:ratio',
            expr: |||
              instance_data_dir:cassandra_backup_exclusive_bytes:sum
                / cassandra_backup_filesystem_size_bytes{%s}
            ||| % c.selector,
          },
          // Bytes that only snapshots keep alive, per data directory (what clearing every snapshot frees).
          {
            record: 'instance_data_dir:cassandra_backup_table_snapshots_exclusive_bytes:sum',
            expr: 'sum without (%s) (cassandra_backup_table_snapshots_exclusive_bytes{%s})' % [tableLabels, c.selector],
          },
          {
            record: 'instance_data_dir:cassandra_backup_table_snapshots_exclusive_bytes_per_filesystem_size_bytes:ratio',
            expr: |||
              instance_data_dir:cassandra_backup_table_snapshots_exclusive_bytes:sum
                / cassandra_backup_filesystem_size_bytes{%s}
            ||| % c.selector,
          },
          // Bytes that only backups/ or only snapshots keep alive: what shipping and clearing them
          // frees (the sum of the two metrics above, named for what it is). One selector for both
          // metrics, so a directory without snapshots still has a sum; `__name__` goes with the sum.
          {
            record: 'instance_data_dir:cassandra_backup_reclaimable_bytes:sum',
            expr: 'sum without (__name__, %s) ({__name__=~"cassandra_backup_exclusive_bytes|cassandra_backup_table_snapshots_exclusive_bytes", %s})' % [tableLabels, c.selector],
          },
          {
            record: 'instance_data_dir:cassandra_backup_reclaimable_bytes_per_filesystem_size_bytes:ratio',
            expr: |||
              instance_data_dir:cassandra_backup_reclaimable_bytes:sum
                / cassandra_backup_filesystem_size_bytes{%s}
            ||| % c.selector,
          },
          // Their growth in bytes per second over each short window...
          {
            record: 'instance_data_dir:cassandra_backup_reclaimable_bytes:deriv%s' % c.growthWindow,
            expr: 'deriv(instance_data_dir:cassandra_backup_reclaimable_bytes:sum[%s])' % c.growthWindow,
          },
          // ...and the least of it over a longer span: positive only when they grew in every
          // window of the span, which a single step (a compaction ending) does not do.
          {
            record: 'instance_data_dir:cassandra_backup_reclaimable_bytes:min_over_time%s_deriv%s' % [c.sustainedGrowthSpan, c.growthWindow],
            expr: 'min_over_time(instance_data_dir:cassandra_backup_reclaimable_bytes:deriv%s[%s])' % [c.growthWindow, c.sustainedGrowthSpan],
          },
          // How fast the free space changes, whatever fills it (bytes per second; negative while
          // the disk fills).
          {
            record: 'instance_data_dir:cassandra_backup_filesystem_avail_bytes:deriv%s' % c.diskTrendWindow,
            expr: 'deriv(cassandra_backup_filesystem_avail_bytes{%s}[%s])' % [c.selector, c.diskTrendWindow],
          },
          // When the oldest file still in any backups/ of the node was written: the shipping job's lag.
          {
            record: 'instance:cassandra_backup_oldest_file_timestamp_seconds:min',
            expr: 'min without (data_dir, %s) (cassandra_backup_oldest_file_timestamp_seconds{%s})' % [tableLabels, c.selector],
          },
        ],
      },
    ],
  },
}
