import BackupScan
import Foundation
import NodeSimulator
import Testing
import TestSupport

/// A walk that is gentle on a busy node: an I/O budget paces it without changing what it measures.
/// (Its threads' low priority is checked on the exporter's own process, from outside:
/// `LowPriorityTests`.)
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
}
