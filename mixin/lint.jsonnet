// What mixin/lint.py reads: the mixin's hidden fields, made visible.
local mixin = import 'mixin.libsonnet';
{
  alerts: mixin.prometheusAlerts,
  rules: mixin.prometheusRules,
  dashboards: mixin.grafanaDashboards,
}
