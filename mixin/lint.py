#!/usr/bin/env python3
"""Lints the mixin as mixtool's and Grafana's dashboard linter do, over what jsonnet renders.

Usage: jsonnet mixin/lint.jsonnet | python3 mixin/lint.py   (scripts/lint-mixin.sh runs both,
after `jsonnetfmt --test`). Prints one line per finding and exits 1 when there is any.

Rules: alert names are CamelCase and start with CassandraBackup; every alert has a severity
label (critical, warning or info), a summary and a description; recording rules are named
level:metric:operations. Every dashboard has a uid, a `datasource` variable of type datasource
followed by `job`; every panel has a title, a description, a unit and reads from ${datasource};
every query selects job=~"$job", and rate() and increase() use $__rate_interval.
"""
import json
import re
import sys


def lint(mixin):
    findings = []
    for group in mixin["alerts"]["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert", "?")
            if not re.fullmatch(r"CassandraBackup[A-Z][A-Za-z0-9]*", name):
                findings.append(f"alert {name}: not CamelCase with the CassandraBackup prefix")
            if rule.get("labels", {}).get("severity") not in ("critical", "warning", "info"):
                findings.append(f"alert {name}: severity is not critical, warning or info")
            for annotation in ("summary", "description"):
                if not rule.get("annotations", {}).get(annotation):
                    findings.append(f"alert {name}: no {annotation} annotation")
    for group in mixin["rules"]["groups"]:
        for rule in group["rules"]:
            if not re.fullmatch(r"[a-z_]+:[a-z0-9_]+:[a-z0-9_]+", rule.get("record", "")):
                findings.append(f"recording rule {rule.get('record')}: not level:metric:operations")
    for file, dashboard in sorted(mixin["dashboards"].items()):
        if not dashboard.get("uid"):
            findings.append(f"{file}: no uid")
        variables = dashboard.get("templating", {}).get("list", [])
        names = [variable.get("name") for variable in variables]
        if "datasource" not in names or variables[names.index("datasource")].get("type") != "datasource":
            findings.append(f"{file}: no datasource variable of type datasource")
        if "job" not in names:
            findings.append(f"{file}: no job variable")
        for panel in dashboard.get("panels", []):
            if panel.get("type") == "row":
                continue
            title = panel.get("title") or "?"
            if title == "?":
                findings.append(f"{file}: a panel has no title")
            if not panel.get("description"):
                findings.append(f"{file} / {title}: no description")
            if not panel.get("fieldConfig", {}).get("defaults", {}).get("unit"):
                findings.append(f"{file} / {title}: no unit")
            if panel.get("datasource", {}).get("uid") != "${datasource}":
                findings.append(f"{file} / {title}: does not read from ${{datasource}}")
            for target in panel.get("targets", []):
                expr = target.get("expr", "")
                if 'job=~"$job"' not in expr:
                    findings.append(f"{file} / {title}: a query does not select job=~\"$job\"")
                for window in re.findall(r"\b(?:rate|irate|increase)\([^\[]*\[([^\]]*)\]", expr):
                    if window != "$__rate_interval":
                        findings.append(f"{file} / {title}: rate over [{window}], not [$__rate_interval]")
    return findings


if __name__ == "__main__":
    findings = lint(json.load(sys.stdin))
    for finding in findings:
        print(finding)
    sys.exit(1 if findings else 0)
