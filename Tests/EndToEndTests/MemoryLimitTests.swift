import Foundation
import Testing
import TestSupport

/// `--collector.snapshot-detail` cannot kill its host: the daemon on a node of 1,000 tables with
/// 20 user snapshots each, inside a memory cgroup at the limit the shipped Kubernetes sidecar has
/// (`deploy/kubernetes/cassandra-statefulset.yaml`), is never OOM-killed while it scans and serves
/// every metrics variant, and emits the detail series its default budget allows. Without the
/// budget such a daemon peaked at 214 MB and the kernel killed it at 128 MiB.
@Suite struct MemoryLimitTests {
    private static let hierarchy = "/sys/fs/cgroup/memory"
    private static let canLimit = runsAsRoot && FileManager.default.isWritableFile(atPath: hierarchy)

    /// The sidecar's `resources.limits.memory`, in bytes.
    private func shippedLimit() throws -> Int {
        let documents = try PythonTools.loadYAML(Repository.path("deploy/kubernetes/cassandra-statefulset.yaml"))
        let statefulSet = try #require(documents.compactMap { $0 as? [String: Any] }.first { $0["kind"] as? String == "StatefulSet" })
        let pod = ((statefulSet["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any]
        let sidecar = try #require((pod?["containers"] as? [[String: Any]])?.first { $0["name"] as? String == "backup-exporter" })
        let limit = try #require(((sidecar["resources"] as? [String: Any])?["limits"] as? [String: Any])?["memory"] as? String)
        let mebibytes = try #require(Int(limit.replacingOccurrences(of: "Mi", with: "")), "\(limit)")
        return mebibytes << 20
    }

    private func read(_ group: String, _ file: String) -> String {
        ((try? String(contentsOfFile: "\(group)/\(file)", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: canLimit, "needs root and a writable cgroup v1 memory hierarchy (/sys/fs/cgroup/memory)"))
    func snapshotDetailFitsTheShippedMemoryLimit() throws {
        let limit = try shippedLimit()
        let temp = try TemporaryDirectory("memory")
        defer { temp.remove() }
        let data = temp("data")
        _ = try Command.output(BuiltProducts.path("cassandra-node-sim"), ["--data-dir", data, "--bulk-tables", "1000", "--initial-flushes", "1",
                                                                        "--retention-snapshots", "20", "--seed", "1", "--populate-only"])
        let group = "\(Self.hierarchy)/cassandra-backup-exporter-test-\(getpid())"
        try FileManager.default.createDirectory(atPath: group, withIntermediateDirectories: false)
        defer { rmdir(group) }
        try String(limit).write(toFile: group + "/memory.limit_in_bytes", atomically: false, encoding: .utf8)
        // With swap, the limit would page the daemon out instead of killing it: limit memory and swap together.
        if FileManager.default.fileExists(atPath: group + "/memory.memsw.limit_in_bytes") {
            try String(limit).write(toFile: group + "/memory.memsw.limit_in_bytes", atomically: false, encoding: .utf8)
        }
        let exporter = try RunningProcess("/bin/sh", ["-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", group, BuiltProducts.exporter,
                                                      "--cassandra.data-dir", data, "--collector.snapshot-detail", "--collector.interval", "2s",
                                                      "--web.listen-address", "127.0.0.1:0"])
        defer { exporter.stop() }
        let base = "http://127.0.0.1:\(try exporter.listeningPort())"
        var text = ""
        let deadline = Date().addingTimeInterval(180)
        while Date() < deadline, !text.contains("cassandra_backup_scan_success 1") {
            usleep(500_000)
            text = (try? Command.output("curl", ["-sf", base + "/metrics"])) ?? ""
        }
        #expect(text.contains("cassandra_backup_scan_success 1"), "\(exporter.standardError.suffix(2000))")
        // Scans go on every 2 s while every variant is scraped, as several Prometheus servers would.
        for _ in 0..<5 {
            for arguments in [[], ["--compressed"], ["-H", "Accept: application/openmetrics-text;version=1.0.0"],
                              ["--compressed", "-H", "Accept: application/openmetrics-text;version=1.0.0"]] {
                _ = try? Command.output("curl", ["-sf", "-o", "/dev/null"] + arguments + [base + "/metrics"])
            }
            sleep(2)
        }
        text = (try? Command.output("curl", ["-sf", base + "/metrics"])) ?? ""
        let oomKills = read(group, "memory.oom_control").split(separator: "\n").first { $0.hasPrefix("oom_kill ") }
        let peak = Int(read(group, "memory.max_usage_in_bytes")) ?? -1
        let samples = parseExposition(text)
        let detail = samples.filter { $0.labels["origin"] == "user" && $0.labels["table_id"] != nil }
        let dropped = samples.value("cassandra_backup_snapshot_detail_dropped_series") ?? -1
        print("memory limit: \(limit >> 20) MiB; cgroup peak \(peak >> 20) MiB; detail series \(detail.count), dropped \(Int(dropped)); \(oomKills ?? "no oom_kill counter")")
        #expect(kill(exporter.processIdentifier, 0) == 0, "the daemon is alive: \(exporter.standardError.suffix(2000))")
        #expect(oomKills == nil || oomKills == "oom_kill 0", "\(oomKills ?? "")")
        #expect(peak > 0 && peak < limit)
        #expect(detail.count > 10_000 && detail.count <= 20_000, "the default budget's series are emitted: \(detail.count)")
        // The oracle: find's count of the user snapshots' parts (the simulator's retention tags are
        // daily-NNN), 10 series each (no expiry in their manifests; docs/metrics.md).
        let parts = try Command.output("find", [data, "-mindepth", "4", "-maxdepth", "4", "-path", "*/snapshots/daily-*", "-type", "d"])
            .split(separator: "\n").count
        #expect(parts >= 20_000 && dropped > 0 && Int(dropped) + detail.count == parts * 10,
                "every user-snapshot series is emitted or counted: \(detail.count) + \(Int(dropped)) for \(parts) parts")
    }
}
