import Foundation
import NodeSimulator
import Testing
import TestSupport

/// `--collector.low-priority` (the default) as `ps -L` and `ionice` see it: the exporter's walker
/// threads (named `backup-walker`) run at nice 10 with idle-class I/O, as `--help` says, and the
/// rest of the process is untouched. Looked at in the exporter's own process, where no other test's
/// scanner runs threads of the same name.
@Suite struct LowPriorityTests {
    /// A walker thread as seen from outside: its nice value and what `ionice -p` says.
    struct Seen: Equatable, CustomStringConvertible {
        let nice: Int32?
        let io: String
        var description: String { "nice \(nice.map(String.init) ?? "?"), \(io)" }
    }

    @Test(arguments: [true, false])
    func walkerThreadsRunAtLowCPUAndIdleIOPriority(lowered: Bool) throws {
        let temp = try TemporaryDirectory("priority")
        defer { temp.remove() }
        let node = SimulatedNode(dataDirectories: [temp("data")], seed: 11)
        try node.populate(flushes: 3)
        try node.snapshot(tag: "weekly")
        // Paced, so that the walker threads live long enough to be looked at from outside.
        let exporter = try RunningProcess(BuiltProducts.path("cassandra-backup-exporter"),
                                          ["--once", "--collector.max-stat-rate", "300", "--cassandra.data-dir", temp("data")]
                                              + (lowered ? [] : ["--no-collector.low-priority"]))
        defer { exporter.stop(signal: SIGKILL) }
        let tasks = "/proc/\(exporter.processIdentifier)/task"
        var walkers: [String: Seen] = [:]
        var others: [String: Int32] = [:]  // "id name" → nice
        while exporter.isRunning {
            for task in (try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? [] where walkers[task] == nil {
                guard let name = (try? String(contentsOfFile: "\(tasks)/\(task)/comm", encoding: .utf8))?
                        .trimmingCharacters(in: .whitespacesAndNewlines),
                      let nice = Self.nice(stat: "\(tasks)/\(task)/stat") else { continue }  // gone before it could be looked at
                guard name == "backup-walker" else {
                    others[task + " " + name] = nice
                    continue
                }
                guard let io = try? Command.output("ionice", ["-p", task]) else { continue }
                walkers[task] = Seen(nice: nice, io: io.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            usleep(20_000)
        }
        #expect(!walkers.isEmpty, "walker threads seen: \(walkers); stderr: \(exporter.standardError)")
        let expected = lowered ? Seen(nice: 10, io: "idle") : Seen(nice: 0, io: "none: prio 0")
        #expect(walkers.values.allSatisfy { $0 == expected }, "\(walkers)")
        // None of the rest is lowered. (As root, Dispatch gives its overcommit threads nice -4.)
        #expect(!others.isEmpty && others.values.allSatisfy { $0 <= 0 }, "the exporter's other threads: \(others)")
    }

    /// Field 19 of a task's stat file, the nice value (the 17th after the ")" closing the name).
    private static func nice(stat path: String) -> Int32? {
        guard let stat = try? String(contentsOfFile: path, encoding: .utf8),
              let fields = stat.split(separator: ")").last?.split(separator: " "), fields.count > 17 else { return nil }
        return Int32(fields[16])
    }
}
