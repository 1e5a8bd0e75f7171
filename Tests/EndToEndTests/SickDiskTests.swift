import Foundation
import Testing
import TestSupport

/// Real faults: a FUSE passthrough (Debian's python3-fusepy) that hangs or fails with EIO on
/// chosen table directories of a second data directory, and a loop-mounted ext4 remounted
/// read-only. Where this machine cannot mount (not root, no /dev/fuse, no loop device), the tests
/// are skipped, never passed.
@Suite(.serialized) struct SickDiskTests {
    static let exporter = BuiltProducts.path("cassandra-backup-exporter")
    static let faultyFS = Repository.path("Tests/EndToEndTests/Fixtures/faultyfs.py")
    static let healthyTable = "ks/healthy-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    static let hungTable = "ks/hung-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
    static let failingTable = "ks/failing-cccccccccccccccccccccccccccccccc"
    static let calmTable = "ks/calm-dddddddddddddddddddddddddddddddd"

    /// Whether a FUSE filesystem can be mounted here: tried once, for real.
    static let canMountFUSE: Bool = {
        guard getuid() == 0, FileManager.default.fileExists(atPath: "/dev/fuse"),
              let temp = try? TemporaryDirectory("fuseprobe") else { return false }
        defer { temp.remove() }
        guard let mount = try? FaultyMount(in: temp) else { return false }
        mount.unmount()
        return true
    }()

    static let canLoopMount: Bool = getuid() == 0 && FileManager.default.fileExists(atPath: "/dev/loop-control")

    /// A FUSE mount of `temp/backing` at `temp/mnt`, with its control and statistics files.
    struct FaultyMount {
        let temp: TemporaryDirectory
        let process: Process

        init(in temp: TemporaryDirectory) throws {
            self.temp = temp
            try FileManager.default.createDirectory(atPath: temp("backing"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: temp("mnt"), withIntermediateDirectories: true)
            process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [SickDiskTests.faultyFS, temp("backing"), temp("mnt"), temp("control"), temp("stats")]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            for _ in 0..<100 {
                if (try? Command.output("findmnt", ["-n", "-o", "FSTYPE", temp("mnt")]))?.contains("fuse") == true { return }
                guard process.isRunning else { break }
                usleep(50_000)
            }
            process.terminate()
            throw CommandError(message: "the FUSE filesystem did not mount")
        }

        /// Hangs the calls on paths under `hang`, fails those under `eio`; empty lists heal it.
        func set(hang: [String] = [], eio: [String] = []) throws {
            let lines = hang.map { "hang \($0)\n" } + eio.map { "eio \($0)\n" }
            try lines.joined().write(toFile: temp("control") + ".new", atomically: false, encoding: .utf8)
            try #require(rename(temp("control") + ".new", temp("control")) == 0)
        }

        /// `entered`: calls that ever blocked on a hung path; `blocked`: those blocked now.
        func stats() -> (entered: Int, blocked: Int) {
            let text = (try? String(contentsOfFile: temp("stats"), encoding: .utf8)) ?? ""
            func value(_ name: String) -> Int {
                text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Int($0.split(separator: " ")[1]) } ?? -1
            }
            return (value("entered"), value("blocked"))
        }

        func unmount() {
            try? set()
            _ = try? Command.run("umount", [temp("mnt")])
            process.terminate()
            process.waitUntilExit()
        }
    }

    private func metrics(_ port: Int) -> [ExposedSample] {
        parseExposition((try? Command.output("curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(port)/metrics"])) ?? "")
    }

    /// Polls the metrics until `condition` holds; returns the seconds it took, or nil after `timeout`.
    private func poll(_ port: Int, timeout: Double, _ condition: ([ExposedSample]) -> Bool) -> Double? {
        let start = Date()
        while Date().timeIntervalSince(start) < timeout {
            if condition(metrics(port)) { return Date().timeIntervalSince(start) }
            usleep(100_000)
        }
        return nil
    }

    private func labels(_ dataDirectory: String, _ table: String) -> [String: String] {
        let parts = table.split(separator: "/")
        let name = parts[1].split(separator: "-")
        return ["data_dir": dataDirectory, "keyspace": String(parts[0]), "table": String(name[0]), "table_id": String(name[1])]
    }

    private func threads(of pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? -1
    }

    @Test(.enabled(if: canMountFUSE, "needs root, /dev/fuse, libfuse2 and python3-fusepy (scripts/test.sh installs them)"))
    func aHungTableIsReportedAndTheRestIsMeasured() throws {
        let temp = try TemporaryDirectory("sick")
        defer { temp.remove() }
        let healthy = FixtureBuilder(root: temp("healthy"))
        try healthy.flushedSSTable(in: Self.healthyTable, size: 4096)
        let sick = FixtureBuilder(root: temp("backing"))
        for table in [Self.hungTable, Self.failingTable, Self.calmTable] {
            try sick.flushedSSTable(in: table, size: 4096)
        }
        let mount = try FaultyMount(in: temp)
        defer { mount.unmount() }
        let (a, b) = (temp("healthy"), temp("mnt"))
        let process = try RunningProcess(Self.exporter, ["--cassandra.data-dir", a, "--cassandra.data-dir", b,
                                                         "--collector.interval", "1s", "--collector.walk-timeout", "2s",
                                                         "--collector.full-scan-every", "1", "--web.listen-address", "127.0.0.1:0"])
        defer { process.stop(signal: SIGKILL) }
        let port = try process.listeningPort()
        #expect(poll(port, timeout: 20) { $0.value("cassandra_backup_files", labels(b, Self.hungTable)) == 1 } != nil)
        #expect(metrics(port).value("cassandra_backup_data_dir_stuck", ["data_dir": b]) == 0)

        // One table directory hangs; a backup appears on the healthy data directory.
        try mount.set(hang: [Self.hungTable])
        let hungAt = Date()
        try healthy.flushedSSTable(in: Self.healthyTable, generation: 2, size: 4096)
        let reported = poll(port, timeout: 30) {
            $0.value("cassandra_backup_data_dir_stuck", ["data_dir": b]) == 1
                && $0.value("cassandra_backup_table_stuck_seconds", labels(b, Self.hungTable)) != nil
                && $0.value("cassandra_backup_files", labels(a, Self.healthyTable)) == 2
        }
        let toReport = Date().timeIntervalSince(hungAt)
        print("sick disk: stuck reported and the healthy directory's new backup seen \(String(format: "%.1f", toReport)) s after the hang (interval 1 s, walk timeout 2 s)")
        try #require(reported != nil, "stuck not reported: \(process.standardError)")
        let samples = metrics(port)
        #expect(samples.value("cassandra_backup_files", labels(b, Self.hungTable)) == 1, "the stuck table keeps its last values")
        #expect(samples.value("cassandra_backup_files", labels(b, Self.calmTable)) == 1)
        #expect(samples.value("cassandra_backup_data_dir_stuck", ["data_dir": a]) == 0)
        #expect(samples.value("cassandra_backup_scan_errors_total", ["reason": "stuck"]) == 1)
        #expect(samples.value("cassandra_backup_scan_success") == 1)

        // Many intervals later: no second call went into the hung directory, no thread piled up,
        // and the healthy directory is still measured at the interval.
        let threadsThen = threads(of: process.processIdentifier)
        try healthy.flushedSSTable(in: Self.healthyTable, generation: 3, size: 4096)
        let seen = poll(port, timeout: 10) { $0.value("cassandra_backup_files", labels(a, Self.healthyTable)) == 3 }
        #expect(seen != nil && seen! < 3, "a healthy change shows within two intervals (took \(seen ?? -1) s)")
        Thread.sleep(forTimeInterval: 8)
        #expect(mount.stats().entered == 1, "calls that entered the hung directory: \(mount.stats())")
        #expect(threads(of: process.processIdentifier) <= threadsThen + 1, "threads \(threadsThen) → \(threads(of: process.processIdentifier))")
        let stuckFor = metrics(port).value("cassandra_backup_table_stuck_seconds", labels(b, Self.hungTable)) ?? 0
        #expect(stuckFor >= 8, "stuck seconds grow: \(stuckFor)")

        // EIO under another table: counted by reason, the rest measured.
        try mount.set(hang: [Self.hungTable], eio: [Self.failingTable + "/backups"])
        #expect(poll(port, timeout: 15) { ($0.value("cassandra_backup_scan_errors_total", ["reason": "io"]) ?? 0) > 0 } != nil,
                "EIO counted as io")
        #expect(metrics(port).value("cassandra_backup_files", labels(b, Self.calmTable)) == 1)

        // The filesystem answers again: the stuck call returns and the state clears.
        try mount.set()
        let cleared = poll(port, timeout: 15) {
            $0.value("cassandra_backup_data_dir_stuck", ["data_dir": b]) == 0
                && $0.value("cassandra_backup_table_stuck_seconds", labels(b, Self.hungTable)) == nil
                && $0.value("cassandra_backup_files", labels(b, Self.hungTable)) == 1
        }
        #expect(cleared != nil, "stuck state clears: \(process.standardError)")
        #expect(mount.stats().blocked == 0)
    }

    /// SIGTERM stops serving at once although a walker is blocked in the hung mount; the process
    /// itself can only end when the blocked call returns (a kernel rule).
    @Test(.enabled(if: canMountFUSE, "needs root, /dev/fuse, libfuse2 and python3-fusepy (scripts/test.sh installs them)"))
    func sigtermStopsServingWhileAWalkerIsStuck() throws {
        let temp = try TemporaryDirectory("sickterm")
        defer { temp.remove() }
        try FixtureBuilder(root: temp("backing")).file("\(Self.hungTable)/nb-1-big-Data.db", size: 4096)
        let mount = try FaultyMount(in: temp)
        defer { mount.unmount() }
        let process = try RunningProcess(Self.exporter, ["--cassandra.data-dir", temp("mnt"), "--collector.interval", "1s",
                                                         "--collector.walk-timeout", "1s", "--collector.full-scan-every", "1",
                                                         "--web.listen-address", "127.0.0.1:0"])
        defer { process.stop(signal: SIGKILL) }
        let port = try process.listeningPort()
        try mount.set(hang: [Self.hungTable])
        try #require(poll(port, timeout: 20) { $0.value("cassandra_backup_data_dir_stuck", ["data_dir": temp("mnt")]) == 1 } != nil)
        kill(process.processIdentifier, SIGTERM)
        _ = try process.waitForLine(timeout: 5) { $0.contains("msg=stopped") }
        let refused = try Command.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", "http://127.0.0.1:\(port)/metrics"])
        #expect(refused.stdout == "000", "still serving after SIGTERM")
        try mount.set()
        #expect(process.stop(signal: SIGTERM, timeout: 10) != nil, "the process ends once the call returns")
    }

    /// cassandra.yaml and the web config on a mount that hangs: each read gives up after 5 s and
    /// is reported (the config probe and the web reload metric go to 0, the last good settings
    /// stay), no second read of a hung file starts, scans go on at their interval, and SIGTERM
    /// stops serving at once. Before: every scan froze behind the cassandra.yaml read with the
    /// probe still 1, and the listener answered 11 s after SIGTERM.
    @Test(.enabled(if: canMountFUSE, "needs root, /dev/fuse, libfuse2 and python3-fusepy (scripts/test.sh installs them)"))
    func hungConfigFilesAreReportedAndScansGoOn() throws {
        let temp = try TemporaryDirectory("sickconfig")
        defer { temp.remove() }
        let healthy = FixtureBuilder(root: temp("healthy"))
        try healthy.flushedSSTable(in: Self.healthyTable, size: 4096)
        try FileManager.default.createDirectory(atPath: temp("backing"), withIntermediateDirectories: true)
        try "incremental_backups: true\n".write(toFile: temp("backing/cassandra.yaml"), atomically: true, encoding: .utf8)
        try "http_server_config:\n  headers:\n    X-Frame-Options: deny\n".write(toFile: temp("backing/web.yml"), atomically: true, encoding: .utf8)
        let mount = try FaultyMount(in: temp)
        defer { mount.unmount() }
        let process = try RunningProcess(Self.exporter, ["--cassandra.data-dir", temp("healthy"), "--cassandra.config", temp("mnt/cassandra.yaml"),
                                                         "--web.config.file", temp("mnt/web.yml"), "--no-collector.runtime",
                                                         "--collector.interval", "1s", "--web.listen-address", "127.0.0.1:0"])
        defer { process.stop(signal: SIGKILL) }
        let port = try process.listeningPort()
        try #require(poll(port, timeout: 20) { $0.value("cassandra_backup_incremental_enabled", ["source": "config"]) == 1 } != nil)

        try mount.set(hang: ["cassandra.yaml", "web.yml"])
        let hungAt = Date()
        let reported = poll(port, timeout: 30) {
            $0.value("cassandra_backup_state_probe_success", ["source": "config"]) == 0
                && $0.value("cassandra_backup_exporter_config_last_reload_successful", ["file": "web"]) == 0
        }
        print("hung config files: reported \(String(format: "%.1f", Date().timeIntervalSince(hungAt))) s after the hang (read time limit 5 s)")
        try #require(reported != nil, "\(process.standardError)")
        let samples = metrics(port)
        #expect(samples.value("cassandra_backup_incremental_enabled", ["source": "config"]) == 1, "the last good value stays")
        #expect(process.standardError.contains("not read within 5 s"))
        // Scans go on: a new backup on the healthy directory shows within a few intervals.
        try healthy.flushedSSTable(in: Self.healthyTable, generation: 2, size: 4096)
        let seen = poll(port, timeout: 10) { $0.value("cassandra_backup_files", labels(temp("healthy"), Self.healthyTable)) == 2 }
        #expect(seen != nil, "scans go on while the config files hang")
        Thread.sleep(forTimeInterval: 6)
        #expect(mount.stats().entered <= 2, "one read per hung file: \(mount.stats())")

        kill(process.processIdentifier, SIGTERM)
        _ = try process.waitForLine(timeout: 5) { $0.contains("msg=stopped") }
        let refused = try Command.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", "http://127.0.0.1:\(port)/metrics"])
        #expect(refused.stdout == "000", "still serving after SIGTERM")
        try mount.set()
        #expect(process.stop(signal: SIGTERM, timeout: 10) != nil)
    }

    /// ext4 remounted read-only (as `errors=remount-ro` does after an error) is reported.
    @Test(.enabled(if: canLoopMount, "needs root and a loop device"))
    func aReadOnlyDataFilesystemIsReported() throws {
        let temp = try TemporaryDirectory("readonly")
        defer { temp.remove() }
        _ = try Command.output("truncate", ["-s", "32M", temp("disk.img")])
        _ = try Command.output("mkfs.ext4", ["-q", "-F", temp("disk.img")])
        try FileManager.default.createDirectory(atPath: temp("data"), withIntermediateDirectories: true)
        let mounted = try Command.run("mount", ["-o", "loop", temp("disk.img"), temp("data")])
        try #require(mounted.status == 0, "mount: \(mounted.stderr)")
        defer { _ = try? Command.run("umount", [temp("data")]) }
        try FixtureBuilder(root: temp("data")).file("\(Self.calmTable)/nb-1-big-Data.db", size: 4096)
        func readOnly() throws -> Double? {
            let result = try Command.run(Self.exporter, ["--once", "--cassandra.data-dir", temp("data")])
            return parseExposition(result.stdout).value("cassandra_backup_filesystem_readonly", ["data_dir": temp("data")])
        }
        #expect(try readOnly() == 0)
        try #require(try Command.run("mount", ["-o", "remount,ro", temp("data")]).status == 0)
        // The oracle: findmnt's view of the mount options.
        #expect(try Command.output("findmnt", ["-n", "-o", "OPTIONS", temp("data")]).hasPrefix("ro"))
        #expect(try readOnly() == 1)
    }
}
