import ExporterCore
import Foundation
import Testing
import TestSupport

/// nodetool cannot run here without Cassandra: these tests run small shell scripts that stand in
/// for it, printing exactly what `nodetool statusbackup` prints (`running`, `not running`), or
/// misbehaving: hanging past the timeout, exiting non-zero, printing garbage or megabytes.
@Suite struct NodetoolProbeTests {
    private func read(_ body: String, arguments: [String] = [], timeout: Duration = .seconds(5)) async throws -> RuntimeReading {
        let temp = try TemporaryDirectory("nodetool")
        defer { temp.remove() }
        return await NodetoolProbe(executable: try StandInNodetool.write(body, to: temp("nodetool")), arguments: arguments, timeout: timeout).read()
    }

    @Test func runningMeansEnabled() async throws {
        #expect(try await read("echo running") == .enabled(true))
    }

    @Test func notRunningMeansDisabled() async throws {
        #expect(try await read("echo 'not running'") == .enabled(false))
    }

    @Test func passesConnectionOptionsBeforeTheSubcommand() async throws {
        let temp = try TemporaryDirectory("nodetool")
        defer { temp.remove() }
        let script = try StandInNodetool.write(#"printf '%s\n' "$@" > "$(dirname "$0")/argv"; echo running"#, to: temp("nodetool"))
        let probe = NodetoolProbe(executable: script, arguments: ["-h", "10.0.0.1", "-p", "7199", "-u", "monitor", "-pwf", "/etc/pw file"],
                                  timeout: .seconds(5))
        #expect(await probe.read() == .enabled(true))
        let argv = try String(contentsOfFile: temp("argv"), encoding: .utf8)
        #expect(argv == "-h\n10.0.0.1\n-p\n7199\n-u\nmonitor\n-pwf\n/etc/pw file\nstatusbackup\n")
    }

    /// The output is described, never quoted: nodetool may echo credentials.
    @Test func nonZeroExitIsAFailureNamingAKnownCause() async throws {
        let reading = try await read("echo 'nodetool: Failed to connect to 127.0.0.1:7199 - ConnectException: hunter2' >&2; exit 1")
        #expect(reading == .failed("nodetool statusbackup exited with exited(1); could not connect to the node's JMX port (74 bytes in 1 lines on stderr, not shown)"))
    }

    @Test func garbageIsAFailure() async throws {
        let reading = try await read("echo 'Picked up JAVA_TOOL_OPTIONS: -Xmx1g'; echo maybe")
        #expect(reading == .failed("unexpected nodetool statusbackup output (42 bytes in 2 lines, not shown; expected running or not running)"))
    }

    @Test func megabytesOfOutputAreAFailure() async throws {
        let reading = try await read("head -c 5000000 /dev/zero | tr '\\0' 'x'; echo running")
        guard case .failed = reading else { Issue.record("expected a failure, got \(reading)"); return }
    }

    @Test func hangingProbeIsKilledWithItsWholeProcessGroup() async throws {
        let temp = try TemporaryDirectory("nodetool")
        defer { temp.remove() }
        // Like nodetool's shell wrapper starting a JVM: a child that would outlive the script.
        let script = try StandInNodetool.write("sleep 300 & echo $! > \"$(dirname \"$0\")/child.pid\"; wait", to: temp("nodetool"))
        let started = ContinuousClock.now
        let reading = await NodetoolProbe(executable: script, arguments: [], timeout: .milliseconds(500)).read()
        let elapsed = ContinuousClock.now - started
        guard case .failed(let reason) = reading else { Issue.record("expected a failure, got \(reading)"); return }
        #expect(reason.contains("did not finish within"))
        // The child sleeps 300 s: well under that proves the probe did not wait for it (a margin
        // for loaded CI machines, where 0.5 s has taken 5.5 s).
        #expect(elapsed < .seconds(30), "took \(elapsed)")
        let child = try #require(Int32(try String(contentsOfFile: temp("child.pid"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        var gone = false
        for _ in 0..<100 where !gone {
            // kill(pid, 0) fails with ESRCH once the process is gone (a zombie still answers, so
            // also accept the state Z from /proc).
            let state = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.split(separator: " ")[2]
            gone = kill(child, 0) != 0 || state == "Z"
            if !gone { usleep(20_000) }
        }
        #expect(gone, "the stand-in's child \(child) survived the timeout")
    }

    /// `StatusBackup.java` prints exactly `running` or `not running` and a line end.
    @Test(arguments: [("running", true), ("  running\n", true), ("not running\r\n", false), ("not running\n", false),
                      ("not  running", nil), ("RUNNING", nil), ("", nil), ("running running", nil)] as [(String, Bool?)])
    func interpretsExactlyTheDocumentedOutputs(output: String, expected: Bool?) {
        let reading = NodetoolProbe.interpret(output: output)
        if let expected {
            #expect(reading == .enabled(expected))
        } else if case .enabled = reading {
            Issue.record("accepted \(output)")
        }
    }
}
