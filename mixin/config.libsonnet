// Everything a user may want to change without forking the rules and dashboards. Override with
//   (import 'github.com/cassandra-backup-exporter/cassandra-backup-exporter/mixin/mixin.libsonnet')
//     + { _config+:: { selector: 'job="cassandra"' } }
{
  _config+:: {
    // Label matchers that pick the exporter's series (a scrape job, a namespace...).
    selector: 'job="cassandra-backup"',

    // The page (CassandraBackupDiskFillingUp) looks this far ahead.
    diskFullHorizonSeconds: 24 * 3600,
    // ...and also fires when backup and snapshot growth is at least this share of the disk's fill.
    diskFillMainShare: 0.5,
    // Growth is measured over short windows (fast pages) and must hold in every one of them over a
    // longer span, so that a one-off step (a compaction ending, a snapshot taken) is not a trend.
    growthWindow: '10m',
    sustainedGrowthSpan: '30m',
    // The disk's own trend, for the share test.
    diskTrendWindow: '1h',

    // CassandraBackupNotShipped: the oldest file in backups/ may be this old.
    maxUnshippedAgeSeconds: 2 * 86400,
    // CassandraBackupLargeShareOfDisk: bytes only backups/ and snapshots keep, as a share of the filesystem.
    maxReclaimableDiskRatio: 0.20,
    // CassandraBackupAutomaticSnapshotForgotten: an automatic snapshot (DROP, TRUNCATE, scrub,
    // upgrade, diagnostic) holding bytes of its own may be this old.
    maxAutomaticSnapshotAgeSeconds: 14 * 86400,
    // CassandraBackupRepairSnapshotLeftBehind: a repair's snapshot may be this old.
    maxRepairSnapshotAgeSeconds: 86400,
    // CassandraBackupSnapshotExpired: a snapshot may stay this long past its expires_at.
    snapshotExpiryGraceSeconds: 3600,
    // CassandraBackupScanStale: the last successful scan may be this old.
    maxScanAgeSeconds: 3600,

    // CassandraBackupSnapshotMissingOnNodes: a tag taken by an operator or a backup tool (origin
    // user or medusa) on at least this share of a cluster's nodes, and on two or more, but not on
    // all, for this long. A cluster is what the exporters' series share once nodeLabels (the
    // labels that tell one node of a cluster from another) are left out.
    snapshotTagNodeShare: 0.5,
    snapshotTagGrace: '2h',
    nodeLabels: 'instance, pod',

    // A firing alert stays firing this long after its condition stops holding, so that a few
    // missed scrapes (an exporter restart) neither resolve it nor page again. '' leaves
    // keep_firing_for out, for engines without it: Prometheus before 2.42, prometheus-operator
    // before 0.64 (PrometheusRule), and VictoriaMetrics' vmalert before 1.90.
    keepFiringFor: '30m',

    // Where each alert's runbook section is: a printf pattern taking the alert name in lower
    // case, e.g. 'https://git.example.com/ops/cassandra-backup-exporter/-/blob/main/docs/runbook.md#%s'.
    // Empty: no runbook_url annotation (docs/runbook.md ships with the exporter, but where it is
    // served is the user's choice).
    runbookURLPattern: '',

    // Dashboards. With showMultiCluster, a variable over clusterLabel (the target label that
    // names a cluster, e.g. set by file_sd or an external label) narrows every panel to it.
    showMultiCluster: false,
    clusterLabel: 'cluster',
    dashboardTags: ['cassandra', 'backup', 'cassandra-backup-exporter'],
    dashboardRefresh: '1m',
    dashboardTimezone: '',
  },
}
