import Foundation
import NodeSimulator
import Testing
import TestSupport

/// Every kind of snapshot, its `origin` and expiry, and the roll-ups that keep the default
/// exposition small, all from `--once` over a real tree, checked against `find -printf` and the
/// tag names.
@Suite struct SnapshotTests {
    static let exporter = BuiltProducts.path("cassandra-backup-exporter")
    /// A fixed "now" for the simulated node (2025-01-15T12:00:00Z), so expiries are known numbers.
    static let now = Date(timeIntervalSince1970: 1_736_942_400)
    static let day = 86_400.0

    /// The tags `takeEveryKindOfSnapshot` makes, with the origin Cassandra's source gives each
    /// and the expiry (seconds since the epoch) its manifest carries. Written out, not derived.
    static let expected: [(prefix: String, origin: String, expires: Double?)] = [
        ("dropped-1736683200000-wishlists", "dropped", 1_736_683_200 + 30 * day),  // auto_snapshot_ttl 30d
        ("dropped-1700000000000-carts", "dropped", nil),
        ("truncated-1733486400000-orders", "truncated", nil),
        ("truncated-1736769600000-events", "truncated", 1_736_769_600 + 7 * day),
        ("pre-scrub-1736078400000", "pre_scrub", nil),
        ("1729166400000-upgrade-4.1.5-5.0.2", "upgrade", nil),
        ("0e6ba5f0-7c1d-11ee-8a3b-0242ac120002", "repair", nil),  // 3.x: a UUID tag
        ("5d1e8c20-8b5f-11ee-b9d1-0242ac120002", "repair", nil),  // 4.x: ephemeral.snapshot marker
        ("7f3a9b40-9c6e-11ee-a1c2-0242ac120002", "repair", nil),  // 5.0: "ephemeral": true
        ("RepairedDataMismatch-1735214400000", "diagnostic", nil),
        ("weekly-2024-05-01", "user", nil),
        ("medusa-daily", "medusa", 1_736_856_000 + 14 * day),
        ("before-migration", "user", 1_736_596_800 + 1 * day),  // expired, still on disk
    ]

    /// A node holding every kind, after compaction and a shipping run: some snapshot files are
    /// then held by snapshots alone.
    static func node(in temp: TemporaryDirectory) throws -> [String] {
        let directories = [temp("disk1/data"), temp("disk2/data")]
        let node = SimulatedNode(dataDirectories: directories, seed: 7)
        try node.populate(flushes: 2)
        try node.takeEveryKindOfSnapshot(now: now)
        try node.shipBackups()
        for table in node.tables { try node.compact(table, in: directories[0]) }
        return directories
    }

    private func once(_ directories: [String], detail: Bool = false) throws -> [ExposedSample] {
        let result = try Command.run(Self.exporter, ["--once"] + (detail ? ["--collector.snapshot-detail"] : [])
                                     + directories.flatMap { ["--cassandra.data-dir", $0] })
        #expect(result.status == 0, "\(result.stderr)")
        return parseExposition(result.stdout)
    }

    /// Table directories (labels) holding `snapshots/<tag>`, found with find.
    private func holders(of tag: String, in directories: [String]) throws -> [(labels: [String: String], path: String)] {
        var result: [([String: String], String)] = []
        for dataDirectory in directories {
            let listing = try Command.output("find", [dataDirectory, "-mindepth", "4", "-maxdepth", "4", "-type", "d", "-path", "*/snapshots/\(tag)"])
            for path in listing.split(separator: "\n").map(String.init) {
                let table = (path as NSString).deletingLastPathComponent.replacingOccurrences(of: "/snapshots", with: "")
                let parts = table.split(separator: "/")
                let name = parts[parts.count - 1]
                result.append((["data_dir": dataDirectory, "keyspace": String(parts[parts.count - 2]),
                                "table": String(name.dropLast(33)), "table_id": String(name.suffix(32))], path))
            }
        }
        return result
    }

    @Test func everyKindHasItsOriginAndExpiry() throws {
        let temp = try TemporaryDirectory("snapshots")
        defer { temp.remove() }
        let directories = try Self.node(in: temp)
        let defaults = try once(directories)
        let detailed = try once(directories, detail: true)
        for (tag, origin, expires) in Self.expected {
            let holders = try holders(of: tag, in: directories)
            #expect(!holders.isEmpty, "\(tag) is on disk")
            for holder in holders {
                let labels = holder.labels.merging(["snapshot": tag]) { $1 }
                // Detail mode: every snapshot, with its origin.
                let files = detailed.first { sample in sample.name == "cassandra_backup_snapshot_files" && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
                #expect(files?.labels["origin"] == origin, "\(tag): \(String(describing: files?.labels))")
                #expect(files?.value == Double(try FileOracle(holder.path).count))
                #expect(detailed.value("cassandra_backup_snapshot_expires_timestamp_seconds", labels) == expires, "\(tag)")
                // Default mode: automatic snapshots only.
                let shown = defaults.value("cassandra_backup_snapshot_files", labels.merging(["origin": origin]) { $1 })
                #expect((shown != nil) == (origin != "user"), "\(tag) (\(origin)) shown by default: \(shown != nil)")
            }
            #expect(defaults.value("cassandra_backup_snapshot_tag_expires_timestamp_seconds", ["snapshot": tag, "origin": origin]) == expires)
        }
        // Created times: 5.0's created_at, else the directory's mtime (the simulator sets both to the snapshot's time).
        #expect(detailed.value("cassandra_backup_snapshot_created_timestamp_seconds", ["snapshot": "medusa-daily", "keyspace": "shop"]) == 1_736_856_000)
        #expect(detailed.value("cassandra_backup_snapshot_created_timestamp_seconds", ["snapshot": "weekly-2024-05-01", "table": "orders"]) == 1_736_424_000)
    }

    /// Per-tag roll-ups and per-table totals equal sums and unions of find's listings, in the
    /// default mode: a tag held by only some tables, files compacted away and held only by
    /// snapshots, and files held by several tags of one table (exclusive to none of the tags,
    /// exclusive to the table's snapshots).
    @Test func rollUpsEqualTheOracle() throws {
        let temp = try TemporaryDirectory("snapshots")
        defer { temp.remove() }
        let directories = try Self.node(in: temp)
        let samples = try once(directories)
        for (tag, origin, _) in Self.expected {
            let holders = try holders(of: tag, in: directories)
            let oracles = try holders.map { try FileOracle($0.path) }
            let labels = ["snapshot": tag, "origin": origin]
            let tables = Set(holders.map { "\($0.labels["keyspace"]!).\($0.labels["table"]!).\($0.labels["table_id"]!)" })
            #expect(samples.value("cassandra_backup_snapshot_tag_tables", labels) == Double(tables.count), "\(tag)")
            #expect(samples.value("cassandra_backup_snapshot_tag_files", labels) == Double(oracles.reduce(0) { $0 + $1.count }))
            #expect(samples.value("cassandra_backup_snapshot_tag_size_bytes", labels) == Double(oracles.reduce(0) { $0 + $1.apparentBytes }))
            #expect(samples.value("cassandra_backup_snapshot_tag_allocated_bytes", labels) == Double(oracles.reduce(0) { $0 + $1.allocatedBytes }))
            #expect(samples.value("cassandra_backup_snapshot_tag_exclusive_bytes", labels) == Double(try oracles.reduce(0) { $0 + (try $1.exclusiveBytes()) }))
        }
        // A tag held by only some tables.
        #expect(samples.value("cassandra_backup_snapshot_tag_tables", ["snapshot": "weekly-2024-05-01"]) == 2)

        // Per table: the union over its snapshots, checked for every table directory.
        var sharedByTags = false
        for dataDirectory in directories {
            let listing = try Command.output("find", [dataDirectory, "-mindepth", "2", "-maxdepth", "2", "-type", "d",
                                                      "-regextype", "posix-extended", "-regex", ".*/[^/]+-[0-9a-f]{32}"])
            for directory in listing.split(separator: "\n").map(String.init) {
                let name = directory.split(separator: "/").last!
                let labels = ["data_dir": dataDirectory, "table": String(name.dropLast(33)), "table_id": String(name.suffix(32))]
                let table = try TableOracle(directory)
                let tags = table.tags, union = table.allSnapshots
                #expect(samples.value("cassandra_backup_table_snapshots", labels) == Double(tags.count))
                #expect(samples.value("cassandra_backup_table_snapshots_allocated_bytes", labels) == Double(union.allocatedBytes))
                let unionExclusive = try union.exclusiveBytes()
                #expect(samples.value("cassandra_backup_table_snapshots_exclusive_bytes", labels) == Double(unionExclusive))
                let perTag = try tags.map { try FileOracle("\(directory)/snapshots/\($0)").exclusiveBytes() }.reduce(0, +)
                sharedByTags = sharedByTags || unionExclusive > perTag
            }
        }
        #expect(sharedByTags, "some file is held by two tags of one table only")
    }

    /// 200 tables × 30 daily user snapshots: the default stays under 4,000 series and 1 MB; the
    /// detail flag restores all 6,000 (table, tag) pairs without a budget, and with the default
    /// budget (20,000 series, 10 per pair: 300 per table) the first 66 tables' pairs, the rest counted.
    @Test func aRetentionStaysAffordableByDefault() throws {
        let temp = try TemporaryDirectory("retention")
        defer { temp.remove() }
        let node = SimulatedNode(dataDirectories: [temp("data")], tables: TableSpec.bulkSchema(count: 200), seed: 3)
        try node.populate(flushes: 1)
        for day in 0..<30 { try node.snapshot(tag: "daily-2025-01-\(String(format: "%02d", day + 1))", style: .cassandra4()) }
        let arguments = ["--once", "--cassandra.data-dir", temp("data")]
        let plain = try Command.run(Self.exporter, arguments)
        let detail = try Command.run(Self.exporter, arguments + ["--collector.snapshot-detail", "--collector.snapshot-detail.max-series", "0"])
        let budgeted = parseExposition(try Command.output(Self.exporter, arguments + ["--collector.snapshot-detail"]))
        let plainSamples = parseExposition(plain.stdout), detailSamples = parseExposition(detail.stdout)
        print("retention 200×30: default \(plainSamples.count) series, \(plain.stdout.utf8.count) bytes; detail \(detailSamples.count) series, \(detail.stdout.utf8.count) bytes")
        #expect(plainSamples.count < 4_000 && plain.stdout.utf8.count < 1_000_000)
        let pairs = Set(detailSamples.filter { $0.name == "cassandra_backup_snapshot_files" }.map { "\($0.labels["table_id"]!)/\($0.labels["snapshot"]!)" })
        #expect(pairs.count == 6_000)
        #expect(budgeted.filter { $0.name == "cassandra_backup_snapshot_files" }.count == 66 * 30)
        #expect(budgeted.value("cassandra_backup_snapshot_detail_dropped_series") == Double((200 - 66) * 30 * 10))
        #expect(!plainSamples.contains { $0.name == "cassandra_backup_snapshot_files" })
        #expect(plainSamples.filter { $0.name == "cassandra_backup_snapshot_tag_exclusive_bytes" }.count == 30)
    }
}
