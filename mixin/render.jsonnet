// What `make mixin` writes, by path from the repository's top level:
//   jsonnet -S -m . mixin/render.jsonnet
// The files stay committed for users without jsonnet; a test fails when they differ from a fresh
// render. `config` overrides _config (jsonnet --tla-code config='{ selector: "job=\"c\"" }').
function(config={})
  local mixin = (import 'mixin.libsonnet') + { _config+:: config };
  local header = '# Generated from mixin/ by `make mixin`: change the mixin (or override its _config), not this file.\n';
  // One group, recording rules first: Prometheus evaluates a group's rules in order, so every alert
  // sees this evaluation's recorded values (separate groups run independently, and promtool picks
  // their order at random, which would make the unit tests' values one evaluation off at times).
  local groups = [{
    name: 'cassandra-backup',
    rules: std.flattenArrays([group.rules for group in mixin.prometheusRules.groups + mixin.prometheusAlerts.groups]),
  }];
  {
    'alerts/cassandra-backup.rules.yml': header + std.manifestYamlDoc({ groups: groups }, indent_array_in_object=true, quote_keys=false) + '\n',
    'deploy/kubernetes/prometheusrule.yaml': header + std.manifestYamlDoc({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: 'cassandra-backup',
        labels: { 'app.kubernetes.io/name': 'cassandra-backup-exporter' },
      },
      spec: { groups: groups },
    }, indent_array_in_object=true, quote_keys=false) + '\n',
  } + {
    ['dashboards/' + name]: std.manifestJsonEx(mixin.grafanaDashboards[name], '  ') + '\n'
    for name in std.objectFields(mixin.grafanaDashboards)
  }
