// The dashboards' panels are defined in node.grafana.json and fleet.grafana.json, kept as Grafana
// JSON (edit them in Grafana, export, paste back); the mixin applies _config: the job variable
// lists only targets matching the selector, and tags, refresh and time zone come from the
// configuration. With showMultiCluster, a cluster variable (over
// _config.clusterLabel) comes first and every query and variable is narrowed to it, as in
// node-mixin.
{
  local c = $._config,
  // Adds the cluster matcher wherever a query selects the job.
  local narrow(text) = if c.showMultiCluster then std.strReplace(text, 'job=~"$job"', '%s=~"$cluster", job=~"$job"' % c.clusterLabel) else text,
  local clusterVariable = {
    name: 'cluster',
    label: c.clusterLabel,
    type: 'query',
    datasource: { type: 'prometheus', uid: '${datasource}' },
    query: { query: 'label_values(cassandra_backup_exporter_build_info{%s}, %s)' % [c.selector, c.clusterLabel], refId: 'cluster' },
    definition: 'label_values(cassandra_backup_exporter_build_info{%s}, %s)' % [c.selector, c.clusterLabel],
    refresh: 2,
    includeAll: true,
    multi: true,
    current: {},
    hide: 0,
  },
  local configure(source, dashboard) = dashboard {
    description: 'Generated from mixin/dashboards/%s by `make mixin`: edit that, not this file. %s' % [source, super.description],
    tags: c.dashboardTags,
    refresh: c.dashboardRefresh,
    timezone: c.dashboardTimezone,
    templating+: {
      list: std.flattenArrays([
        if variable.name == 'job' then
          (if c.showMultiCluster then [clusterVariable] else []) + [variable {
            local selector = if c.showMultiCluster then '%s, %s=~"$cluster"' % [c.selector, c.clusterLabel] else c.selector,
            query+: { query: 'label_values(cassandra_backup_exporter_build_info{%s}, job)' % selector },
            definition: 'label_values(cassandra_backup_exporter_build_info{%s}, job)' % selector,
          }]
        else if variable.type == 'query' then [variable {
          query+: { query: narrow(super.query) },
          [if std.objectHas(variable, 'definition') then 'definition']: narrow(super.definition),
        }]
        else [variable]
        for variable in super.list
      ]),
    },
    panels: [
      panel + (if std.objectHas(panel, 'targets') then { targets: [target { expr: narrow(super.expr) } for target in panel.targets] } else {})
      for panel in super.panels
    ],
    links: [
      if link.type == 'dashboards' then link { tags: c.dashboardTags } else link
      for link in super.links
    ],
  },

  grafanaDashboards+:: {
    'cassandra-backup-node.json': configure('node.grafana.json', import 'node.grafana.json'),
    'cassandra-backup-fleet.json': configure('fleet.grafana.json', import 'fleet.grafana.json'),
  },
}
