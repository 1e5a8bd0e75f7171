// Recording rules: per data directory and per node roll-ups the alerts and dashboards read.
{
  prometheusRules+:: {
    local c = $._config,
    local byDir = 'job, instance, data_dir',
    groups+: [
      {
        name: 'cassandra-backup.rules',
        rules: [
          {
            record: 'job_instance_data_dir:cassandra_backup_allocated_bytes:sum',
            expr: 'sum by (%s) (cassandra_backup_allocated_bytes{%s})' % [byDir, c.selector],
          },
          {
            record: 'job_instance_data_dir:cassandra_backup_compacted_bytes:sum',
            expr: 'sum by (%s) (cassandra_backup_compacted_bytes{%s})' % [byDir, c.selector],
          },
          {
            record: 'job_instance_data_dir:cassandra_backup_exclusive_bytes:sum',
            expr: 'sum by (%s) (cassandra_backup_exclusive_bytes{%s})' % [byDir, c.selector],
          },
          // Backup bytes still shared with live SSTables (free while the live file exists).
          {
            record: 'job_instance_data_dir:cassandra_backup_shared_bytes:sum',
            expr: 'job_instance_data_dir:cassandra_backup_allocated_bytes:sum - job_instance_data_dir:cassandra_backup_compacted_bytes:sum',
          },
          {
            record: 'job_instance_data_dir:cassandra_backup_exclusive_disk:ratio',
            expr: |||
              job_instance_data_dir:cassandra_backup_exclusive_bytes:sum
                / on (%s) cassandra_backup_filesystem_size_bytes{%s}
            ||| % [byDir, c.selector],
          },
          // Bytes that only snapshots keep alive, per data directory (what clearing every snapshot frees).
          {
            record: 'job_instance_data_dir:cassandra_backup_snapshot_exclusive_bytes:sum',
            expr: 'sum by (%s) (cassandra_backup_table_snapshots_exclusive_bytes{%s})' % [byDir, c.selector],
          },
          {
            record: 'job_instance_data_dir:cassandra_backup_snapshot_exclusive_disk:ratio',
            expr: |||
              job_instance_data_dir:cassandra_backup_snapshot_exclusive_bytes:sum
                / on (%s) cassandra_backup_filesystem_size_bytes{%s}
            ||| % [byDir, c.selector],
          },
          // Bytes that only backups/ or only snapshots keep alive: what shipping and clearing them
          // frees. One selector for both metrics, so a directory without snapshots still has a sum.
          {
            record: 'job_instance_data_dir:cassandra_backup_reclaimable_bytes:sum',
            expr: 'sum by (%s) ({__name__=~"cassandra_backup_exclusive_bytes|cassandra_backup_table_snapshots_exclusive_bytes", %s})' % [byDir, c.selector],
          },
          {
            record: 'job_instance_data_dir:cassandra_backup_reclaimable_disk:ratio',
            expr: |||
              job_instance_data_dir:cassandra_backup_reclaimable_bytes:sum
                / on (%s) cassandra_backup_filesystem_size_bytes{%s}
            ||| % [byDir, c.selector],
          },
          // Their growth in bytes per second over each short window...
          {
            record: 'job_instance_data_dir:cassandra_backup_reclaimable_bytes:deriv%s' % c.growthWindow,
            expr: 'deriv(job_instance_data_dir:cassandra_backup_reclaimable_bytes:sum[%s])' % c.growthWindow,
          },
          // ...and the least of it over a longer span: positive only when they grew in every
          // window of the span, which a single step (a compaction ending) does not do.
          {
            record: 'job_instance_data_dir:cassandra_backup_reclaimable_bytes:deriv%s_min%s' % [c.growthWindow, c.sustainedGrowthSpan],
            expr: 'min_over_time(job_instance_data_dir:cassandra_backup_reclaimable_bytes:deriv%s[%s])' % [c.growthWindow, c.sustainedGrowthSpan],
          },
          // How fast the filesystem fills, whatever fills it (bytes per second; negative when it empties).
          {
            record: 'job_instance_data_dir:cassandra_backup_filesystem_used_bytes:deriv%s' % c.diskTrendWindow,
            expr: '-deriv(cassandra_backup_filesystem_avail_bytes{%s}[%s])' % [c.selector, c.diskTrendWindow],
          },
          // Age of each snapshot tag on the node (its earliest table), from the per-tag roll-ups.
          {
            record: 'job_instance_snapshot_origin:cassandra_backup_snapshot_tag_age_seconds:max',
            expr: 'time() - max by (job, instance, snapshot, origin) (cassandra_backup_snapshot_tag_created_timestamp_seconds{%s})' % c.selector,
          },
          // Age of the oldest file still in any backups/ of the node: the shipping job's lag.
          {
            record: 'job_instance:cassandra_backup_oldest_file_age_seconds:max',
            expr: 'time() - min by (job, instance) (cassandra_backup_oldest_file_timestamp_seconds{%s})' % c.selector,
          },
        ],
      },
    ],
  },
}
