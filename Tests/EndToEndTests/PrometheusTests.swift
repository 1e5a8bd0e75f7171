import Foundation
import Testing
import TestSupport

/// The shipped alert rules and dashboards against a real Prometheus (Debian's package), scraping
/// the real exporter over the demo simulator on loopback.
@Suite(.serialized) struct PrometheusTests {
    static let settle: Double = 25

    /// Everything started for one run, stopped by `stop()`.
    struct Stack {
        let temp: TemporaryDirectory
        let simulator: RunningProcess
        let exporter: RunningProcess
        let prometheus: PrometheusServer
        let exporterTarget: String

        func stop() {
            prometheus.stop()
            exporter.stop()
            simulator.stop()
            _ = try? Command.run("umount", [temp("disks")])
            temp.remove()
        }

        /// Runs an instant query; returns the result array, or throws with Prometheus' error.
        func query(_ expression: String) throws -> [[String: Any]] {
            try prometheus.query(expression)
        }
    }

    /// Starts simulator, exporter and Prometheus with the repository's rules (alert `for`
    /// durations set to 0s and the unshipped-age threshold to 5s, so a failure story fires within
    /// the test) and waits `settle` seconds for data.
    static func startStack() throws -> Stack {
        let temp = try TemporaryDirectory("prometheus")
        let sim = BuiltProducts.path("cassandra-node-sim")
        // The data directories get a filesystem of their own, 2 GiB with far more than 40% free,
        // so the disk-filling story depends on the test and not on the machine's own disk.
        try FileManager.default.createDirectory(atPath: temp("disks"), withIntermediateDirectories: true)
        _ = try Command.output("mount", ["-t", "tmpfs", "-o", "size=2g", "tmpfs", temp("disks")])
        let dataDirectories = [temp("disks/disk1/data"), temp("disks/disk2/data")]
        let dataArguments = dataDirectories.flatMap { ["--data-dir", $0] }
        _ = try Command.output(sim, dataArguments + ["--populate-only", "--every-snapshot-kind", "--write-config", temp("cassandra.yaml")])
        // The shipping job never runs: backups age, the failure story the test waits for.
        let simulator = try RunningProcess(sim, dataArguments + ["--flush-interval", "0.3", "--compaction-interval", "0.7",
                                                                 "--snapshot-interval", "3", "--ship-interval", "0"])
        try StandInNodetool.write("echo running", to: temp("nodetool"))
        let exporter = try RunningProcess(BuiltProducts.path("cassandra-backup-exporter"), [
            "--web.listen-address", "127.0.0.1:0", "--cassandra.config", temp("cassandra.yaml"), "--collector.interval", "1s",
            "--nodetool.path", temp("nodetool"), "--collector.runtime.interval", "2s",
        ])
        let target = "127.0.0.1:\(try exporter.listeningPort())"

        // The rules as a mixin user renders them, with _config overridden the mixin's way, scaled
        // from days to seconds: the shipping lag may be 5 s, and growth is the trend of the whole
        // run (a 1-minute window) over the last 5 s, so the never-shipping demo node trips both.
        let rendered = try Command.run("bash", [Repository.path("scripts/render-mixin.sh"), temp("mixin"),
                                                "{ maxUnshippedAgeSeconds: 5, growthWindow: '1m', sustainedGrowthSpan: '5s' }"])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let overridden = try String(contentsOfFile: temp("mixin/alerts/cassandra-backup.rules.yml"), encoding: .utf8)
        #expect(overridden.contains("time() - instance:cassandra_backup_oldest_file_timestamp_seconds:min > 5\n"), "the override reached the rule")
        // No waiting: every alert fires as soon as its condition holds.
        let rules = overridden.replacingOccurrences(of: #"for: "\d+[smh]""#, with: #"for: "0s""#, options: .regularExpression)
        try rules.write(toFile: temp("rules.yml"), atomically: true, encoding: .utf8)
        let prometheus = try PrometheusServer(config: """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: [\(temp("rules.yml"))]
            scrape_configs:
              - job_name: cassandra-backup
                static_configs:
                  - targets: ['\(target)']
                    labels:
                      incremental_backups_expected: "true"
            """, in: temp)
        Thread.sleep(forTimeInterval: settle)
        return Stack(temp: temp, simulator: simulator, exporter: exporter, prometheus: prometheus, exporterTarget: target)
    }

    /// Every panel's queries, with the dashboard variables as a user would pick them.
    static func panelQueries(_ file: String, instance: String, cluster: String = ".*",
                             directory: URL = Repository.root.appendingPathComponent("dashboards")) throws -> [(panel: String, expr: String)] {
        let data = try Data(contentsOf: directory.appendingPathComponent(file))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var queries: [(String, String)] = []
        for panel in dashboard["panels"] as? [[String: Any]] ?? [] {
            for target in panel["targets"] as? [[String: Any]] ?? [] {
                let expr = (target["expr"] as? String ?? "")
                    .replacingOccurrences(of: "$job", with: "cassandra-backup")
                    .replacingOccurrences(of: "$instance", with: instance)
                    .replacingOccurrences(of: "$cluster", with: cluster)
                    .replacingOccurrences(of: "$keyspace", with: ".*")
                    .replacingOccurrences(of: "$table", with: ".*")
                    .replacingOccurrences(of: "$__rate_interval", with: "30s")
                queries.append((panel["title"] as? String ?? "?", expr))
            }
        }
        return queries
    }

    @Test func dashboardsRulesAndAlertsWorkAgainstRealData() throws {
        let stack = try Self.startStack()
        defer { stack.stop() }

        // Every panel query of both dashboards returns data.
        for file in ["cassandra-backup-node.json", "cassandra-backup-fleet.json"] {
            let queries = try Self.panelQueries(file, instance: stack.exporterTarget)
            #expect(queries.count >= 7)
            for (panel, expr) in queries {
                let result = try stack.query(expr)
                #expect(!result.isEmpty, "\(file): panel \"\(panel)\" returned no data: \(expr)")
            }
        }

        // Every rule's expression parses and evaluates. Recording rules return data; an alert
        // expression returns data exactly when its story is happening in this run.
        let expectedFiring: Set<String> = [
            "CassandraBackupNotShipped",  // shipping never runs; threshold 5s
            "CassandraBackupDiskFillingUp",  // backups grow about 1 GB/h, more than a day of it fits on the 2 GiB tmpfs
            "CassandraBackupAutomaticSnapshotForgotten",  // the simulator's truncated (40 days), upgrade and diagnostic snapshots
            "CassandraBackupRepairSnapshotLeftBehind",  // repair snapshots of 2 and 5 days
            "CassandraBackupSnapshotExpired",  // before-migration expired 3 days ago
        ]
        let quietBecause: [String: String] = [
            "CassandraBackupLargeShareOfDisk": "the demo's backups are megabytes on a large filesystem",
            "CassandraBackupEnabledOnlyAtRuntime": "cassandra.yaml and nodetool both say enabled",
            "CassandraBackupDisabledAtRuntime": "cassandra.yaml and nodetool both say enabled",
            "CassandraBackupIncrementalDisabled": "incremental backup is on where it is expected",
            "CassandraBackupExporterDown": "the exporter is up",
            "CassandraBackupScanFailing": "scans succeed",
            "CassandraBackupScanStale": "the last scan ended a second ago",
            "CassandraBackupScanSlow": "a scan of the demo tree takes milliseconds",
            "CassandraBackupStateProbeFailing": "both sources read fine",
            "CassandraBackupDataDirStuck": "the data directory answers",
            "CassandraBackupFilesystemReadOnly": "the data directory's filesystem is writable",
            "CassandraBackupExporterConfigReloadFailing": "the stack's exporter has no web config (the series is absent)",
            "CassandraBackupIncompleteSSTables": "the simulator links and ships whole SSTables",
            "CassandraBackupSnapshotUnrestorable": "every simulated snapshot has its files, manifest and schema",
            "CassandraBackupSnapshotMissingOnNodes": "the stack has one node, which holds every tag",
            "CassandraBackupSnapshotDetailOverBudget": "snapshot detail is off (the series is 0)",
        ]
        let rulesOutput = try Command.output("curl", ["-s", stack.prometheus.url + "/api/v1/rules"])
        let rulesData = try #require((try JSONSerialization.jsonObject(with: Data(rulesOutput.utf8)) as? [String: Any])?["data"] as? [String: Any])
        var alertNames: [String] = []
        for group in rulesData["groups"] as? [[String: Any]] ?? [] {
            for rule in group["rules"] as? [[String: Any]] ?? [] {
                let name = rule["name"] as? String ?? "?"
                let query = rule["query"] as? String ?? ""
                #expect(rule["health"] as? String == "ok", "\(name): \(rule["lastError"] ?? "")")
                let result = try stack.query(query)
                if rule["type"] as? String == "alerting" {
                    alertNames.append(name)
                    if expectedFiring.contains(name) {
                        #expect(!result.isEmpty, "\(name) should be happening in this run")
                    } else {
                        #expect(quietBecause[name] != nil, "\(name) has no reason listed for being quiet")
                        #expect(result.isEmpty, "\(name) returned data though \(quietBecause[name] ?? "?"): \(result)")
                    }
                } else {
                    #expect(!result.isEmpty, "recording rule \(name) returned no data")
                }
            }
        }
        #expect(Set(alertNames) == expectedFiring.union(quietBecause.keys))

        // The failure story fired, with its labels and annotations filled in.
        let alertsOutput = try Command.output("curl", ["-s", stack.prometheus.url + "/api/v1/alerts"])
        let alerts = (((try JSONSerialization.jsonObject(with: Data(alertsOutput.utf8)) as? [String: Any])?["data"] as? [String: Any])?["alerts"]
            as? [[String: Any]]) ?? []
        let notShipped = alerts.first { ($0["labels"] as? [String: String])?["alertname"] == "CassandraBackupNotShipped" }
        #expect(notShipped?["state"] as? String == "firing", "\(alertsOutput)")
        let labels = notShipped?["labels"] as? [String: String] ?? [:]
        #expect(labels["instance"] == stack.exporterTarget && labels["severity"] == "warning")
        let description = (notShipped?["annotations"] as? [String: String])?["description"] ?? ""
        #expect(description.contains("on \(stack.exporterTarget) is "), "\(description)")
    }
}
