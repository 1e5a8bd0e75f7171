import Foundation
import Testing
import TestSupport

/// The deployment examples, each checked by the real tool for its format.
@Suite struct DeployTests {
    /// Copies the units to `temp` (ExecStart pointed at the built binary, since verify insists that
    /// it exists), checks them with `systemd-analyze verify`, and the service's exposure with
    /// `systemd-analyze security`. Returns the service's text.
    private func verifyUnits(service: String, others: [String] = [], in temp: TemporaryDirectory) throws -> String {
        let text = try String(contentsOfFile: Repository.path("deploy/systemd/\(service)"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/cassandra-backup-exporter", with: BuiltProducts.path("cassandra-backup-exporter"))
        try text.write(toFile: temp(service), atomically: true, encoding: .utf8)
        for other in others { try FileManager.default.copyItem(atPath: Repository.path("deploy/systemd/\(other)"), toPath: temp(other)) }
        let verify = try Command.run("systemd-analyze", ["verify"] + (others + [service]).map { temp($0) })
        #expect(verify.status == 0 && verify.stdout.isEmpty && verify.stderr.isEmpty, "\(verify.stdout)\(verify.stderr)")
        let security = try Command.run("systemd-analyze", ["security", "--offline=yes", temp(service)])
        let exposure = security.stdout.components(separatedBy: "Overall exposure level for \(service): ").last?
            .split(separator: " ").first.flatMap { Double($0) }
        #expect(exposure.map { $0 <= 2.0 } == true, "systemd-analyze security: \(security.stdout.suffix(200))")
        return text
    }

    @Test func systemdUnitVerifiesCleanAndIsHardened() throws {
        let temp = try TemporaryDirectory("systemd")
        defer { temp.remove() }
        let unit = try verifyUnits(service: "cassandra-backup-exporter.service", in: temp)
        for setting in ["NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                        "CapabilityBoundingSet=\n", "SupplementaryGroups=cassandra", "Restart=on-failure",
                        "StartLimitIntervalSec=600", "StartLimitBurst=5"] {
            #expect(unit.contains(setting), "\(setting)")
        }
        // Optional paths: the package may be installed before Cassandra creates them.
        let readOnly = unit.split(separator: "\n").filter { $0.hasPrefix("ReadOnlyPaths=") }
        #expect(!readOnly.isEmpty && readOnly.allSatisfy { $0.dropFirst("ReadOnlyPaths=".count).split(separator: " ").allSatisfy { $0.hasPrefix("-") } },
                "\(readOnly)")
    }

    /// The textfile timer and its one-shot service: they verify, and the service may write only
    /// the textfile directory.
    @Test func textfileTimerVerifiesClean() throws {
        let temp = try TemporaryDirectory("systemd")
        defer { temp.remove() }
        let service = try verifyUnits(service: "cassandra-backup-exporter-textfile.service",
                                      others: ["cassandra-backup-exporter-textfile.timer"], in: temp)
        #expect(service.contains("--once --no-collector.runtime --output.file /var/lib/prometheus/node-exporter/cassandra_backup.prom"))
        #expect(service.contains("ReadWritePaths=/var/lib/prometheus/node-exporter\n"))
        // Root's user id with no capability at all: it writes Debian's root-owned textfile directory and nothing else.
        #expect(!service.contains("\nUser=") && service.contains("\nCapabilityBoundingSet=\n") && service.contains("\nProtectSystem=strict\n"))
    }

    @Test func prometheusConfigAndAlertmanagerRoutingCheckClean() throws {
        let temp = try TemporaryDirectory("promconfig")
        defer { temp.remove() }
        // The example loads the rules from /etc/prometheus/rules: check it against this repository's files.
        let config = try String(contentsOfFile: Repository.path("deploy/prometheus/prometheus.yml"), encoding: .utf8)
            .replacingOccurrences(of: "/etc/prometheus/rules/", with: Repository.path("alerts") + "/")
            .replacingOccurrences(of: "/etc/prometheus/file_sd/cassandra-backup-*.json", with: Repository.path("deploy/prometheus") + "/cassandra-backup-*.json")
        try config.write(toFile: temp("prometheus.yml"), atomically: true, encoding: .utf8)
        let promtool = try Command.run("promtool", ["check", "config", temp("prometheus.yml")])
        #expect(promtool.status == 0, "\(promtool.stdout)\(promtool.stderr)")
        #expect(promtool.stdout.contains("SUCCESS: 1 rule files found") && promtool.stdout.contains("SUCCESS: 33 rules found"),
                "\(promtool.stdout)")
        let amtool = try Command.run("amtool", ["check-config", Repository.path("deploy/prometheus/alertmanager.yml")])
        #expect(amtool.status == 0, "\(amtool.stdout)\(amtool.stderr)")
        // Every severity the rules use has a route.
        let routing = try String(contentsOfFile: Repository.path("deploy/prometheus/alertmanager.yml"), encoding: .utf8)
        for severity in ["critical", "warning", "info"] { #expect(routing.contains("severity=\"\(severity)\"")) }
        let targets = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Repository.path("deploy/prometheus/cassandra-backup-targets.json"))))
        #expect((targets as? [[String: Any]])?.first?["targets"] != nil)
    }

    /// The PodMonitor's job, the mixin's default selector and the kube-prometheus example of docs/alerts-and-dashboards.md
    /// agree, so following the docs selects what the PodMonitor scrapes; instance is the pod name.
    @Test func podMonitorMixinAndDocsAgreeOnTheJob() throws {
        let documents = try PythonTools.loadYAML(Repository.path("deploy/kubernetes/podmonitor.yaml"))
        let monitor = try #require(documents.first as? [String: Any])
        let endpoint = try #require(((monitor["spec"] as? [String: Any])?["podMetricsEndpoints"] as? [[String: Any]])?.first)
        let relabelings = endpoint["relabelings"] as? [[String: Any]] ?? []
        let job = try #require(relabelings.first { $0["targetLabel"] as? String == "job" }?["replacement"] as? String)
        let instance = relabelings.first { $0["targetLabel"] as? String == "instance" }
        #expect((instance?["sourceLabels"] as? [String]) == ["__meta_kubernetes_pod_name"])
        #expect((monitor["spec"] as? [String: Any])?["jobLabel"] == nil, "jobLabel would override the job relabelling")
        let config = try String(contentsOfFile: Repository.path("mixin/config.libsonnet"), encoding: .utf8)
        #expect(config.contains("selector: 'job=\"\(job)\"'"), "the mixin's default selector")
        let docs = try String(contentsOfFile: Repository.path("docs/alerts-and-dashboards.md"), encoding: .utf8)
        let selectors = docs.split(separator: "\n").filter { $0.contains("selector: '") }
        #expect(!selectors.isEmpty && selectors.allSatisfy { $0.contains("job=\"\(job)\"") }, "\(selectors)")
    }

    @Test func kubernetesManifestsValidateAgainstTheAPISchemas() throws {
        let validator = Repository.path(".build/python-tools/bin/kubernetes-validate")
        try #require(FileManager.default.isExecutableFile(atPath: validator), "scripts/test.sh installs kubernetes-validate")
        let result = try Command.run(validator, ["--strict", Repository.path("deploy/kubernetes/cassandra-statefulset.yaml")])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.components(separatedBy: " passed for resource ").count - 1 == 3, "\(result.stdout)")
        // The sidecar mounts the data read-only.
        let documents = try PythonTools.loadYAML(Repository.path("deploy/kubernetes/cassandra-statefulset.yaml"))
        let statefulSet = try #require(documents.compactMap { $0 as? [String: Any] }.first { $0["kind"] as? String == "StatefulSet" })
        let pod = ((statefulSet["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any]
        let sidecar = try #require((pod?["containers"] as? [[String: Any]])?.first { $0["name"] as? String == "backup-exporter" })
        let seccomp = (sidecar["securityContext"] as? [String: Any])?["seccompProfile"] as? [String: Any]
        #expect(seccomp?["type"] as? String == "RuntimeDefault")
        let dataMount = (sidecar["volumeMounts"] as? [[String: Any]])?.first { $0["name"] as? String == "data" }
        #expect(dataMount?["readOnly"] as? Bool == true)
        // The image `make image` tags: the one version.
        #expect(sidecar["image"] as? String == "cassandra-backup-exporter:\(try Repository.version)")
    }

    @Test func prometheusRuleHoldsTheRenderedGroupsAndChecksClean() throws {
        let temp = try TemporaryDirectory("prometheusrule")
        defer { temp.remove() }
        // The operator hands spec.groups to Prometheus as a rules file: check it as one.
        let rule = try #require(try PythonTools.loadYAML(Repository.path("deploy/kubernetes/prometheusrule.yaml")).first as? [String: Any])
        #expect(rule["apiVersion"] as? String == "monitoring.coreos.com/v1" && rule["kind"] as? String == "PrometheusRule")
        let groups = try #require((rule["spec"] as? [String: Any])?["groups"] as? [Any])
        let rulesFile = try #require(try PythonTools.loadYAML(Repository.path("alerts/cassandra-backup.rules.yml")).first as? [String: Any])
        #expect((rulesFile["groups"] as? [Any]).map { NSArray(array: $0) } == NSArray(array: groups),
                "the PrometheusRule carries the same groups as alerts/cassandra-backup.rules.yml")
        // JSON is YAML: promtool reads the groups as written by JSONSerialization.
        try JSONSerialization.data(withJSONObject: ["groups": groups], options: .withoutEscapingSlashes).write(to: URL(fileURLWithPath: temp("groups.yml")))
        let check = try Command.run("promtool", ["check", "rules", temp("groups.yml")])
        #expect(check.status == 0 && check.stdout.contains("SUCCESS: 33 rules found"), "\(check.stdout)\(check.stderr)")
    }
}
