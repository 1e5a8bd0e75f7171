import Foundation
import Testing
import TestSupport

/// The configured and the runtime incremental-backup state, side by side, from the exporter
/// binary. nodetool cannot run here without Cassandra: small shell scripts stand in for it and
/// print exactly what `nodetool statusbackup` prints.
@Suite struct BackupStateTests {
    static let exporter = BuiltProducts.path("cassandra-backup-exporter")

    /// A data directory, a cassandra.yaml with `incremental_backups: <configured>`, and a
    /// stand-in nodetool printing `output`.
    private func node(configured: Bool, nodetoolOutput output: String, in temp: TemporaryDirectory) throws -> (config: String, nodetool: String) {
        try FileManager.default.createDirectory(atPath: temp("data"), withIntermediateDirectories: true)
        try "incremental_backups: \(configured)\n".write(toFile: temp("cassandra.yaml"), atomically: true, encoding: .utf8)
        return (temp("cassandra.yaml"), try StandInNodetool.write(output, to: temp("bin/nodetool")))
    }

    @Test(arguments: [(false, "running", 0.0, 1.0), (true, "not running", 1.0, 0.0), (true, "running", 1.0, 1.0)] as [(Bool, String, Double, Double)])
    func bothSourcesAreReportedSoDriftShows(configured: Bool, runtime: String, configValue: Double, runtimeValue: Double) throws {
        let temp = try TemporaryDirectory("state")
        defer { temp.remove() }
        let (config, nodetool) = try node(configured: configured, nodetoolOutput: "echo '\(runtime)'", in: temp)
        let result = try Command.run(Self.exporter, ["--once", "--cassandra.data-dir", temp("data"), "--cassandra.config", config,
                                                     "--nodetool.path", nodetool])
        #expect(result.status == 0, "\(result.stderr)")
        let samples = parseExposition(result.stdout)
        #expect(samples.value("cassandra_backup_incremental_enabled", ["source": "config"]) == configValue)
        #expect(samples.value("cassandra_backup_incremental_enabled", ["source": "runtime"]) == runtimeValue)
        #expect(samples.value("cassandra_backup_state_probe_success", ["source": "config"]) == 1)
        #expect(samples.value("cassandra_backup_state_probe_success", ["source": "runtime"]) == 1)
        // How long each read took, as the scan reports its own.
        for source in ["config", "runtime"] {
            let seconds = samples.value("cassandra_backup_state_probe_duration_seconds", ["source": source])
            #expect(seconds.map { $0 > 0 && $0 < 30 } == true, "\(source): \(String(describing: seconds))")
        }
    }

    /// A slow nodetool shows in the runtime probe's duration.
    @Test func probeDurationMeasuresTheRead() throws {
        let temp = try TemporaryDirectory("state")
        defer { temp.remove() }
        let (config, nodetool) = try node(configured: true, nodetoolOutput: "sleep 1.2; echo running", in: temp)
        let result = try Command.run(Self.exporter, ["--once", "--cassandra.data-dir", temp("data"), "--cassandra.config", config,
                                                     "--nodetool.path", nodetool])
        let seconds = parseExposition(result.stdout).value("cassandra_backup_state_probe_duration_seconds", ["source": "runtime"]) ?? 0
        #expect(seconds >= 1.2 && seconds < 10, "\(seconds)")
    }

    @Test func nodetoolArgsArePassedThroughEvenWhenTheyLookLikeFlags() throws {
        let temp = try TemporaryDirectory("state")
        defer { temp.remove() }
        let (_, nodetool) = try node(configured: true, nodetoolOutput: #"printf '%s ' "$@" > "$(dirname "$0")/argv"; echo running"#, in: temp)
        let result = try Command.run(Self.exporter, ["--once", "--cassandra.data-dir", temp("data"), "--nodetool.path", nodetool,
                                                     "--nodetool.args", "-h 127.0.0.1 -p 7199 -u monitor -pwf /etc/cassandra/jmx.pw"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: temp("bin/argv"), encoding: .utf8) == "-h 127.0.0.1 -p 7199 -u monitor -pwf /etc/cassandra/jmx.pw statusbackup ")
    }

    @Test func nodetoolOnPathIsUsedAndWithoutItThereIsNoRuntimeSeries() throws {
        let temp = try TemporaryDirectory("state")
        defer { temp.remove() }
        _ = try node(configured: false, nodetoolOutput: "echo running", in: temp)
        let withNodetool = try Command.run(Self.exporter, ["--once", "--cassandra.data-dir", temp("data")],
                                           environment: ["PATH": "\(temp("bin")):/usr/bin:/bin"])
        #expect(parseExposition(withNodetool.stdout).value("cassandra_backup_incremental_enabled", ["source": "runtime"]) == 1)
        let without = try Command.run(Self.exporter, ["--once", "--cassandra.data-dir", temp("data")], environment: ["PATH": "/usr/bin:/bin"])
        #expect(without.status == 0)
        #expect(parseExposition(without.stdout).value("cassandra_backup_incremental_enabled", ["source": "runtime"]) == nil)
        #expect(parseExposition(without.stdout).value("cassandra_backup_state_probe_success", ["source": "runtime"]) == nil)
    }

    /// Under the timeout's name and its old one, still accepted.
    @Test(arguments: ["--collector.runtime.timeout", "--nodetool.timeout"])
    func hangingNodetoolEndsWithinItsTimeoutInOnceMode(flag: String) throws {
        let temp = try TemporaryDirectory("state")
        defer { temp.remove() }
        let (_, nodetool) = try node(configured: true, nodetoolOutput: "sleep 60", in: temp)
        let started = Date()
        let result = try Command.run(Self.exporter, ["--once", "--cassandra.data-dir", temp("data"), "--nodetool.path", nodetool,
                                                     flag, "1s"])
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(result.status == 0)
        let samples = parseExposition(result.stdout)
        #expect(samples.value("cassandra_backup_state_probe_success", ["source": "runtime"]) == 0)
        #expect(samples.value("cassandra_backup_incremental_enabled", ["source": "runtime"]) == nil)
        #expect(result.stderr.contains("level=warn msg=\"runtime backup-state probe failed; keeping the last good value\""))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test(arguments: [(false, "running", "enabled at runtime only: lost at next restart"),
                      (true, "not running", "disabled at runtime: cassandra.yaml turns it back on at next restart")])
    func landingPageSaysPlainlyWhenTheyDiffer(configured: Bool, runtime: String, warning: String) throws {
        let temp = try TemporaryDirectory("state")
        defer { temp.remove() }
        let (config, nodetool) = try node(configured: configured, nodetoolOutput: "echo '\(runtime)'", in: temp)
        let exporter = try RunningProcess(Self.exporter, ["--web.listen-address", "127.0.0.1:0", "--cassandra.data-dir", temp("data"),
                                                          "--cassandra.config", config, "--nodetool.path", nodetool])
        defer { exporter.stop() }
        let url = "http://127.0.0.1:\(try exporter.listeningPort())/"
        var page = ""
        for _ in 0..<100 {
            page = try Command.output("curl", ["-s", url])
            if page.contains("running node: \(runtime == "running" ? "enabled" : "disabled")") { break }
            usleep(50_000)
        }
        #expect(page.contains(warning), "\(page)")
    }

    @Test(.enabled(if: runsAsRoot, "becomes the user nobody with setpriv, which needs root"))
    func unreadableConfigAsAnUnprivilegedUserIsOneClearLine() throws {
        let temp = try TemporaryDirectory("state")
        defer { temp.remove() }
        let (config, _) = try node(configured: true, nodetoolOutput: "echo running", in: temp)
        _ = try Command.output("chmod", ["-R", "a+rX", temp.path])
        chmod(config, 0o600)
        let result = try Command.run("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", Self.exporter,
                                                 "--once", "--cassandra.data-dir", temp("data"), "--cassandra.config", config])
        #expect(result.status != 0)
        #expect(result.stderr == "cassandra-backup-exporter: cassandra config \(config): permission denied\n")
    }
}
