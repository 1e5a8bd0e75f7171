// The dashboards are kept as Grafana JSON (edit them in Grafana, export, paste back); the mixin
// applies _config: the job variable lists only targets matching the selector, and tags, refresh
// and time zone come from the configuration.
{
  local c = $._config,
  local configure(dashboard) = dashboard {
    tags: c.dashboardTags,
    refresh: c.dashboardRefresh,
    timezone: c.dashboardTimezone,
    templating+: {
      list: [
        if variable.name == 'job' then variable {
          query+: { query: 'label_values(cassandra_backup_exporter_build_info{%s}, job)' % c.selector },
          definition: 'label_values(cassandra_backup_exporter_build_info{%s}, job)' % c.selector,
        } else variable
        for variable in super.list
      ],
    },
    links: [
      if link.type == 'dashboards' then link { tags: c.dashboardTags } else link
      for link in super.links
    ],
  },

  grafanaDashboards+:: {
    'cassandra-backup-node.json': configure(import 'cassandra-backup-node.json'),
    'cassandra-backup-fleet.json': configure(import 'cassandra-backup-fleet.json'),
  },
}
