import ArgumentParser
import Foundation
import NodeSimulator

/// Runs a simulated Cassandra node's data directories for the demo and for tests.
@main
struct SimulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cassandra-node-sim",
        abstract: "Keeps a simulated Cassandra data tree alive: flushes, compactions, snapshots, backup shipping."
    )

    @Option(name: .customLong("data-dir"), help: "A data directory (repeat for JBOD); created when absent.")
    var dataDirectories: [String]

    @Option(help: "Seconds between flushes (each linked into backups/).")
    var flushInterval = 2.0

    @Option(help: "Seconds between compactions.")
    var compactionInterval = 10.0

    @Option(help: "Seconds between snapshots.")
    var snapshotInterval = 60.0

    @Option(help: "Seconds between runs of the shipping job that clears backups/; 0 never ships.")
    var shipInterval = 120.0

    @Option(help: "Snapshots kept; older ones are cleared.")
    var keepSnapshots = 2

    @Option(help: "Seed for sizes and names.")
    var seed: UInt64 = 1

    @Option(help: "Stop after this many seconds; 0 runs until killed.")
    var duration = 0.0

    @Option(help: "Write a cassandra.yaml naming the data directories to this path.")
    var writeConfig: String?

    @Option(help: "Extra synthetic tables (50 per keyspace), for large trees.")
    var bulkTables = 0

    @Option(help: "Flushes per table when the tree is created.")
    var initialFlushes = 3

    @Option(help: "Take a snapshot with this tag after creating the tree.")
    var initialSnapshot: String?

    @Option(help: "After creating the tree, take this many daily user snapshots of every table (daily-001, daily-002, …), as a backup tool's retention does.")
    var retentionSnapshots = 0

    @Flag(help: "After creating the tree, take one snapshot of every kind (DROP/TRUNCATE auto-snapshots with and without TTL, pre-scrub, upgrade, repair left behind, diagnostic, user snapshots, an expired one).")
    var everySnapshotKind = false

    @Flag(help: "Create the tree (when absent) and exit.")
    var populateOnly = false

    func validate() throws {
        guard !dataDirectories.isEmpty else { throw ValidationError("--data-dir is required") }
        for interval in [flushInterval, compactionInterval, snapshotInterval] where interval <= 0 {
            throw ValidationError("intervals must be positive")
        }
    }

    func run() throws {
        let tables = TableSpec.demoSchema + [TableSpec.demoRecreatedTable] + TableSpec.bulkSchema(count: bulkTables)
        let node = SimulatedNode(dataDirectories: dataDirectories, tables: tables, seed: seed)
        if !FileManager.default.fileExists(atPath: dataDirectories[0] + "/system") {
            try node.populate(flushes: initialFlushes)
            if let initialSnapshot { try node.snapshot(tag: initialSnapshot) }
            if everySnapshotKind { try node.takeEveryKindOfSnapshot() }
            for day in 0..<retentionSnapshots { try node.snapshot(tag: "daily-" + String(format: "%03d", day + 1), style: .cassandra4()) }
        }
        if let writeConfig {
            let yaml = "incremental_backups: true\ndata_file_directories:\n"
                + dataDirectories.map { "    - \($0)\n" }.joined()
            try Data(yaml.utf8).write(to: URL(fileURLWithPath: writeConfig))
        }
        if populateOnly { return }

        var schedule = EventSchedule(now: Date())
        schedule.add(.flush, every: flushInterval)
        schedule.add(.compaction, every: compactionInterval)
        schedule.add(.snapshot, every: snapshotInterval)
        if shipInterval > 0 { schedule.add(.ship, every: shipInterval) }
        let end = duration > 0 ? Date().addingTimeInterval(duration) : .distantFuture
        var snapshotNumber = 0
        while Date() < end {
            let (event, due) = schedule.next()
            let wait = due.timeIntervalSinceNow
            if wait > 0 { Thread.sleep(forTimeInterval: min(wait, end.timeIntervalSinceNow)) }
            guard Date() < end else { break }
            let (table, dataDirectory) = node.randomTarget()
            switch event {
            case .flush: try node.flush(table, in: dataDirectory)
            case .compaction: try node.compact(table, in: dataDirectory)
            case .snapshot:
                snapshotNumber += 1
                try node.snapshot(tag: "sim-\(Int(Date().timeIntervalSince1970))-\(snapshotNumber)")
                for tag in node.snapshotTags().filter({ $0.hasPrefix("sim-") }).dropLast(keepSnapshots) {
                    try node.clearSnapshot(tag: tag)
                }
            case .ship: try node.shipBackups()
            }
        }
    }
}

/// Periodic events, each due at its own interval.
struct EventSchedule {
    enum Event { case flush, compaction, snapshot, ship }

    private var entries: [(event: Event, interval: Double, due: Date)] = []
    private let start: Date

    init(now: Date) { start = now }

    mutating func add(_ event: Event, every interval: Double) {
        entries.append((event, interval, start.addingTimeInterval(interval)))
    }

    /// The earliest due event; its next occurrence is scheduled.
    mutating func next() -> (Event, Date) {
        let index = entries.indices.min { entries[$0].due < entries[$1].due }!
        let entry = entries[index]
        entries[index].due = entry.due.addingTimeInterval(entry.interval)
        return (entry.event, entry.due)
    }
}
