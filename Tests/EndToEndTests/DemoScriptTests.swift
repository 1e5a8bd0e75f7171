import Foundation
import Testing
import TestSupport

/// `scripts/demo.sh` as a new user meets it: its knobs (`LISTEN_ADDRESS`, `DEMO_DIR`, and
/// `DEMO_BIN`, here the binaries under test so that no build runs inside the test run), a port
/// already taken, and no process left behind whatever signal stops the script.
@Suite(.serialized) struct DemoScriptTests {
    private static let script = Repository.path("scripts/demo.sh")

    /// `env` with the demo's knobs, then the script started as a shell in a terminal starts it:
    /// no signal blocked and SIGPIPE at its default (the test process blocks signals on its
    /// threads, and children inherit the mask: a blocked SIGTERM would never reach the script).
    private func demoCommand(port: Int, in temp: TemporaryDirectory) -> [String] {
        ["DEMO_BIN=" + (BuiltProducts.exporter as NSString).deletingLastPathComponent, "DEMO_DIR=" + temp("demo"),
         "LISTEN_ADDRESS=127.0.0.1:\(port)", "python3", "-c",
         "import os, signal, sys; signal.signal(signal.SIGPIPE, signal.SIG_DFL); signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp(sys.argv[1], sys.argv[1:])",
         "bash", Self.script]
    }

    /// Whether `pid` is gone (or a zombie waiting for whoever adopted it).
    private func gone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    @Test(arguments: [SIGTERM, SIGINT, SIGHUP, SIGKILL])
    func noProcessOutlivesTheScript(signal: Int32) throws {
        let temp = try TemporaryDirectory("demo")
        defer { temp.remove() }
        let port = try freeLoopbackPort()
        // Its output goes to a file, not a pipe: a child left running would hold a pipe open.
        let demo = Process()
        demo.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        demo.arguments = demoCommand(port: port, in: temp)
        try #require(FileManager.default.createFile(atPath: temp("demo.log"), contents: nil))
        demo.standardOutput = FileHandle(forWritingAtPath: temp("demo.log"))
        demo.standardError = demo.standardOutput
        try demo.run()
        defer { if demo.isRunning { kill(demo.processIdentifier, SIGKILL) } }
        let ready = Date().addingTimeInterval(120)
        while Date() < ready, demo.isRunning, (try? Command.output("curl", ["-sf", "-o", "/dev/null", "http://127.0.0.1:\(port)/metrics"])) == nil {
            usleep(100_000)
        }
        try #require(demo.isRunning, "the demo stopped: \((try? String(contentsOfFile: temp("demo.log"), encoding: .utf8)) ?? "")")
        // The simulator and the exporter (not a readiness check's passing subshell).
        let children = try Command.output("pgrep", ["-P", String(demo.processIdentifier)]).split(separator: "\n").compactMap { Int32($0) }
            .filter { (try? String(contentsOfFile: "/proc/\($0)/comm", encoding: .utf8))?.hasPrefix("cassandra-") == true }
        #expect(children.count == 2, "the simulator and the exporter: \(children)")
        kill(demo.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, demo.isRunning || !children.allSatisfy(gone) { usleep(50_000) }
        #expect(!demo.isRunning, "the script ends")
        let left = children.filter { !gone($0) }
        #expect(left.isEmpty, "left running after signal \(signal): \(left)")
        for pid in left { kill(pid, SIGKILL) }
        #expect(connectLoopback(port: port).map { close($0) } == nil, "port \(port) is free again")
    }

    @Test func aTakenPortStopsTheDemoWithAHint() throws {
        let temp = try TemporaryDirectory("demo-port")
        defer { temp.remove() }
        let holder = try RunningProcess(BuiltProducts.exporter, ["--cassandra.data-dir", temp.path, "--web.listen-address", "127.0.0.1:0"])
        defer { holder.stop() }
        let port = try holder.listeningPort()
        let result = try Command.run("/usr/bin/env", demoCommand(port: port, in: temp))
        #expect(result.status == 1)
        #expect(result.stderr.contains("port \(port) is taken") && result.stderr.contains("LISTEN_ADDRESS=:\(port + 1) bash scripts/demo.sh"),
                "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: temp("demo")), "stopped before it wrote anything")
    }
}
