import BackupScan
import Foundation
import NodeSimulator
import Testing
import TestSupport

/// A walk that is gentle on a busy node: an I/O budget paces it, and its threads run at a low
/// CPU and I/O priority; neither changes what it measures.
@Suite(.serialized) struct PolitenessTests {
    static let rate = 500.0

    private func node(_ temp: TemporaryDirectory) throws -> String {
        let node = SimulatedNode(dataDirectories: [temp("data")], tables: Array(TableSpec.demoSchema.prefix(6)), seed: 11)
        try node.populate(flushes: 3)
        try node.snapshot(tag: "weekly")
        return temp("data")
    }

    @Test func aBudgetPacesTheWalkAndChangesNothing() throws {
        let temp = try TemporaryDirectory("budget")
        defer { temp.remove() }
        let data = try node(temp)
        let free = try DataDirectoryScanner(dataDirectories: [data], parallelism: 2).scan()
        let budget = IOBudget(callsPerSecond: Self.rate)
        let started = ContinuousClock.now
        let paced = try DataDirectoryScanner(dataDirectories: [data], parallelism: 2, budget: budget).scan(reusing: nil)
        let elapsed = ContinuousClock.now - started
        let (calls, waited) = budget.spent
        print("budget \(Int(Self.rate))/s: \(calls) calls in \(elapsed), \(paced.budgetWait) waited over the threads")
        #expect(calls > 100, "the tree makes the budget matter")
        // n calls at rate r take at least (n - 1) / r: the first goes at once.
        #expect(elapsed >= .seconds(Double(calls - 1) / Self.rate))
        #expect(paced.budgetWait == waited && waited > .zero)
        #expect(paced.measurement.tables == free.tables)
        #expect(paced.measurement.errors == free.errors)
    }

    @Test func walkerThreadsRunAtLowCPUAndIdleIOPriority() throws {
        let temp = try TemporaryDirectory("priority")
        defer { temp.remove() }
        let data = try node(temp)
        let free = try DataDirectoryScanner(dataDirectories: [data], parallelism: 2).scan()
        // Paced, so that the threads live long enough to be looked at from outside.
        let scanner = DataDirectoryScanner(dataDirectories: [data], parallelism: 2, budget: IOBudget(callsPerSecond: Self.rate), lowPriority: true)
        let result = Locked<NodeMeasurement?>(nil)
        let scan = Thread { result.withLock { $0 = try? scanner.scan() } }
        let ownNice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        scan.start()
        // Walker thread id → (nice, what ionice says), read from outside while the walk runs.
        var walkers: [String: (nice: Int32?, io: String)] = [:]
        while !scan.isFinished {
            for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] where walkers[task] == nil {
                guard (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?
                        .trimmingCharacters(in: .whitespacesAndNewlines) == DataDirectoryScanner.walkerThreadName,
                      // Field 19 of stat is the nice value (the 17th after the ")" closing the name).
                      let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                      let fields = stat.split(separator: ")").last?.split(separator: " "), fields.count > 17,
                      let io = try? Command.output("ionice", ["-p", task])
                else { continue }  // not a walker, or gone before it could be looked at
                walkers[task] = (Int32(fields[16]), io.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            usleep(20_000)
        }
        // At least one: under ThreadSanitizer the second walker may start after the first has
        // claimed every table, and end before it is seen.
        #expect(!walkers.isEmpty, "walker threads seen: \(walkers)")
        #expect(walkers.values.allSatisfy { $0.nice == DataDirectoryScanner.walkerNice && $0.io == "idle" }, "\(walkers)")
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == ownNice, "the test's own thread is untouched")
        #expect(result.withLock { $0 }?.tables == free.tables)
    }
}
