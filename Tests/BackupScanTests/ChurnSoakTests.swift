import BackupScan
import Foundation
import NodeSimulator
import Testing
import TestSupport

/// 1,000 scans while another thread runs the simulator's flushes, then its compactions and
/// shipping, as fast as it can: no crash, every scan's totals within the oracle's values before
/// and after each phase (flushes only add files; compaction and shipping only remove them from
/// backups/), and a resident size that stays flat once warm. Memory is compared within the second
/// phase, where the tree only shrinks: in the first the tree grows as fast as the churn thread
/// runs (faster on a busy machine), and memory with it.
@Suite struct ChurnSoakTests {
    static let scansPerPhase = 500
    /// Churn steps per phase at most. Unbounded, a slow machine fed back on itself: slower scans
    /// let the flush thread grow the tree further, which slowed the scans more (one CI run took
    /// 347 s where others took 6 to 21 s).
    static let maximumChurnSteps = 2_000

    @Test func thousandScansUnderChurn() throws {
        let temp = try TemporaryDirectory("soak")
        defer { temp.remove() }
        let tables = Array(TableSpec.demoSchema.suffix(4))
        try SimulatedNode(dataDirectories: [temp("data")], tables: tables, seed: 21).populate(flushes: 2)
        let scanner = DataDirectoryScanner(dataDirectories: [temp("data")], parallelism: 2)
        func backupFiles(_ measurement: NodeMeasurement) -> UInt64 { measurement.tables.reduce(0) { $0 + $1.backups.files } }
        func oracle() throws -> UInt64 {
            UInt64(try Command.output("find", [temp("data"), "-path", "*/backups/*", "-type", "f"]).split(separator: "\n").count)
        }

        var residentAfterWarmUp = 0.0
        var totalScans = 0
        var skipped: UInt64 = 0
        // Phase 1: flushes only. Phase 2: compactions and shipping only.
        for phase in 1...2 {
            let before = try oracle()
            let done = Flag()
            let churn = Thread {
                // The churn thread's own simulator; it continues the generations found on disk.
                let node = SimulatedNode(dataDirectories: [temp("data")], tables: tables, seed: UInt64(21 + phase))
                var round = 0
                while !done.isSet && round < Self.maximumChurnSteps {
                    let table = node.tables[round % node.tables.count]
                    if phase == 1 {
                        _ = try? node.flush(table, in: temp("data"))
                    } else if round % 5 == 4 {
                        try? node.shipBackups()
                    } else {
                        _ = try? node.compact(table, in: temp("data"))
                    }
                    round += 1
                }
            }
            churn.start()
            var seen: [UInt64] = []
            for scan in 0..<Self.scansPerPhase {
                let measurement = try scanner.scan()
                seen.append(backupFiles(measurement))
                skipped += measurement.errors.total
                totalScans += 1
                if phase == 2 && scan == 100 { residentAfterWarmUp = residentMegabytes() }
            }
            done.set()
            while !churn.isFinished { usleep(1000) }
            let after = try oracle()
            let (low, high) = (min(before, after), max(before, after))
            let outside = seen.filter { !(low...high).contains($0) }
            #expect(outside.isEmpty, "phase \(phase): \(outside.count) scans outside [\(low), \(high)]")
            #expect(phase == 1 ? after > before : after < before, "the churn changed the tree in phase \(phase)")
        }
        let residentAtEnd = residentMegabytes()
        #expect(totalScans == 2 * Self.scansPerPhase)
        #expect(residentAtEnd - residentAfterWarmUp < 8, "resident memory grew from \(residentAfterWarmUp) MB to \(residentAtEnd) MB")
        print("soak: \(totalScans) scans, \(skipped) entries skipped (vanished mid-walk), RSS \(residentAfterWarmUp) MB after 600 scans, \(residentAtEnd) MB at the end")
    }

    private func residentMegabytes() -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Double(line.split(separator: " ")[1]).map { $0 / 1024 } ?? 0
    }
}
