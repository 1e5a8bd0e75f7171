import Foundation

/// A Cassandra node's data directories, kept alive on the real filesystem: flushes (hard-linked
/// into `backups/` while incremental backup is on), compactions that delete their inputs,
/// snapshots, and a shipping job that clears `backups/`.
///
/// Used by the demo and as the tests' source of realistic trees. Not thread-safe.
public final class SimulatedNode {
    public let dataDirectories: [String]
    public let tables: [TableSpec]
    /// Whether flushes are linked into `backups/` (`incremental_backups`).
    public var incrementalBackups = true
    private var random: SplitMix64
    private var generations: [String: Int] = [:]
    private let files = FileManager.default

    /// - Parameters:
    ///   - dataDirectories: JBOD data directories; created when absent.
    ///   - tables: the live schema.
    ///   - seed: makes every size and name reproducible.
    public init(dataDirectories: [String], tables: [TableSpec] = TableSpec.demoSchema + [TableSpec.demoRecreatedTable],
                seed: UInt64 = 1) {
        self.dataDirectories = dataDirectories
        self.tables = tables
        self.random = SplitMix64(seed: seed)
    }

    // MARK: Building the initial tree

    /// Creates every table directory in every data directory with `flushes` flushed SSTables
    /// each, a `lost+found`, and the dropped twin of a re-created table.
    public func populate(flushes: Int = 3) throws {
        for dataDirectory in dataDirectories {
            try files.createDirectory(atPath: dataDirectory + "/lost+found", withIntermediateDirectories: true)
            for table in tables {
                try createTableDirectory(table, in: dataDirectory)
                for _ in 0..<flushes { try flush(table, in: dataDirectory) }
            }
        }
        if tables.contains(where: { $0.keyspace == TableSpec.demoRecreatedTable.keyspace && $0.name == TableSpec.demoRecreatedTable.name }) {
            try simulateDrop(TableSpec.demoDroppedTable, in: dataDirectories[0])
        }
    }

    /// The table's directory in `dataDirectory`.
    public func path(of table: TableSpec, in dataDirectory: String) -> String {
        "\(dataDirectory)/\(table.relativePath)"
    }

    private func createTableDirectory(_ table: TableSpec, in dataDirectory: String) throws {
        let directory = path(of: table, in: dataDirectory)
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for index in table.indexes {
            try files.createDirectory(atPath: "\(directory)/.\(index)", withIntermediateDirectories: true)
        }
    }

    /// A table that was flushed, snapshotted on DROP and whose live files were then deleted.
    private func simulateDrop(_ table: TableSpec, in dataDirectory: String) throws {
        try createTableDirectory(table, in: dataDirectory)
        for _ in 0..<2 { try flush(table, in: dataDirectory) }
        try snapshot(tag: "dropped-1700000000000-\(table.name)", of: [table], in: [dataDirectory],
                     createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        try removeLiveFiles(of: table, in: dataDirectory)
    }

    // MARK: Node activity

    /// Writes a new SSTable (and one per index) in the table directory; links every component
    /// into `backups/` when incremental backup is on. Returns the SSTable identifier.
    @discardableResult
    public func flush(_ table: TableSpec, in dataDirectory: String) throws -> String {
        let directory = path(of: table, in: dataDirectory)
        let identifier = nextIdentifier(table, directory: directory)
        let dataBytes = table.flushBytes / 2 + Int(random.next() % UInt64(max(table.flushBytes, 1)))
        let locations = [directory] + table.indexes.map { "\(directory)/.\($0)" }
        for (position, location) in locations.enumerated() {
            let names = try writeSSTable(table.format, identifier: identifier, dataBytes: position == 0 ? dataBytes : dataBytes / 20,
                                         in: location)
            guard incrementalBackups else { continue }
            let backups = position == 0 ? "\(directory)/backups" : "\(directory)/backups/.\(table.indexes[position - 1])"
            try files.createDirectory(atPath: backups, withIntermediateDirectories: true)
            for name in names { try files.linkItem(atPath: "\(location)/\(name)", toPath: "\(backups)/\(name)") }
        }
        return identifier
    }

    /// Merges up to four live SSTables into one (not backed up, as Cassandra never backs up
    /// compaction output) and deletes the inputs, leaving a transaction log while it runs.
    /// Returns false when there was nothing to compact.
    @discardableResult
    public func compact(_ table: TableSpec, in dataDirectory: String) throws -> Bool {
        let directory = path(of: table, in: dataDirectory)
        let inputs = try liveIdentifiers(in: directory, format: table.format).prefix(4)
        guard inputs.count >= 2 else { return false }
        let log = "\(directory)/\(table.format.versionPrefix)_txn_compaction_\(UUID().uuidString.lowercased()).log"
        files.createFile(atPath: log, contents: Data("ADD:[\(directory)]\n".utf8))
        let output = nextIdentifier(table, directory: directory)
        let locations = [directory] + table.indexes.map { "\(directory)/.\($0)" }
        for location in locations {
            var total = 0
            for input in inputs {
                let data = "\(location)/\(table.format.fileName(identifier: input, component: "Data.db"))"
                total += (try? files.attributesOfItem(atPath: data)[.size] as? Int) ?? 0
            }
            try writeSSTable(table.format, identifier: output, dataBytes: total * 4 / 5, in: location)
            for input in inputs { try removeSSTable(table.format, identifier: input, in: location) }
        }
        try files.removeItem(atPath: log)
        return true
    }

    /// What a snapshot directory holds besides the links, by the Cassandra version that took it.
    public enum SnapshotStyle: Sendable {
        /// 5.0: `manifest.json` with `files`, `created_at`, `expires_at` (a TTL) and `ephemeral`.
        case cassandra5(expiresAfter: TimeInterval? = nil, ephemeral: Bool = false)
        /// 4.x: `manifest.json` with `files` only; a repair's snapshot also has the empty marker
        /// file `ephemeral.snapshot`.
        case cassandra4(ephemeralMarker: Bool = false)
        /// 3.x: `manifest.json` with `files` only.
        case cassandra3
    }

    /// Hard-links every live file of `tables` into `snapshots/<tag>/` of each data directory,
    /// with `manifest.json` and `schema.cql` as the version in `style` writes them.
    /// - Parameter createdAt: the snapshot's time (default now); also its directory's mtime.
    public func snapshot(tag: String, of tables: [TableSpec]? = nil, in dataDirectories: [String]? = nil,
                         style: SnapshotStyle = .cassandra5(), createdAt: Date = Date()) throws {
        for dataDirectory in dataDirectories ?? self.dataDirectories {
            for table in tables ?? self.tables {
                let directory = path(of: table, in: dataDirectory)
                let target = "\(directory)/snapshots/\(tag)"
                try files.createDirectory(atPath: target, withIntermediateDirectories: true)
                var listed: [String] = []
                for (source, destination) in [(directory, target)] + table.indexes.map({ ("\(directory)/.\($0)", "\(target)/.\($0)") }) {
                    try files.createDirectory(atPath: destination, withIntermediateDirectories: true)
                    // The manifest names an index's SSTables with their directory (`Descriptor.relativeFilenameFor`).
                    let prefix = destination == target ? "" : String(destination.dropFirst(target.count + 1)) + "/"
                    for name in try sstableFiles(in: source) {
                        try files.linkItem(atPath: "\(source)/\(name)", toPath: "\(destination)/\(name)")
                        if name.hasSuffix("-Data.db") { listed.append(prefix + name) }
                    }
                }
                var manifest: [String: Any] = ["files": listed]
                switch style {
                case .cassandra5(let expiresAfter, let ephemeral):
                    manifest["created_at"] = ISO8601DateFormatter.withFractions.string(from: createdAt)
                    manifest["expires_at"] = expiresAfter.map { ISO8601DateFormatter.withFractions.string(from: createdAt + $0) } ?? NSNull()
                    manifest["ephemeral"] = ephemeral
                case .cassandra4(ephemeralMarker: true):
                    files.createFile(atPath: "\(target)/ephemeral.snapshot", contents: Data())
                case .cassandra4, .cassandra3:
                    break
                }
                try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])
                    .write(to: URL(fileURLWithPath: "\(target)/manifest.json"))
                try Data("CREATE TABLE IF NOT EXISTS \(table.keyspace).\(table.name) (id uuid PRIMARY KEY);\n".utf8)
                    .write(to: URL(fileURLWithPath: "\(target)/schema.cql"))
                try files.setAttributes([.modificationDate: createdAt], ofItemAtPath: target)
            }
        }
    }

    /// One snapshot of every kind Cassandra and operators make, in the first data directory, as
    /// of `now`; returns each tag with its table and the `origin` it stands for.
    ///
    /// DROP and TRUNCATE with `auto_snapshot` (with and without `auto_snapshot_ttl`), `nodetool
    /// scrub`, the upgrade snapshot of the system tables, repair snapshots left behind (3.x UUID
    /// tag, 4.x ephemeral marker, 5.0 ephemeral manifest), a diagnostic snapshot, user snapshots
    /// with 4.x and 5.0 manifests, and one whose TTL has run out while it is still on disk.
    @discardableResult
    public func takeEveryKindOfSnapshot(now: Date = Date()) throws -> [(tag: String, table: TableSpec, origin: String)] {
        let disk = [dataDirectories[0]]
        let millis = { (date: Date) in String(Int64(date.timeIntervalSince1970 * 1000)) }
        let day: TimeInterval = 86_400
        let table = { (keyspace: String, name: String) in self.tables.first { $0.keyspace == keyspace && $0.name == name } ?? self.tables[0] }
        let orders = table("shop", "orders"), customers = table("shop", "customers"), events = table("telemetry", "events")
        let sessions = table("legacy", "sessions")
        let systemTables = tables.filter { $0.keyspace == "system" || $0.keyspace == "system_schema" }
        var taken: [(String, TableSpec, String)] = []
        func take(_ tag: String, _ of: [TableSpec], _ style: SnapshotStyle, age: TimeInterval, origin: String) throws {
            try snapshot(tag: tag, of: of, in: disk, style: style, createdAt: now - age)
            taken += of.map { (tag, $0, origin) }
        }
        // A second dropped table, dropped with auto_snapshot_ttl = 30d (4.1+).
        let wishlists = TableSpec(keyspace: "shop", name: "wishlists", id: "22222222333344445555666666666666", format: .cassandra5BTI, flushBytes: 32_768)
        try createTableDirectory(wishlists, in: disk[0])
        try flush(wishlists, in: disk[0])
        try take("dropped-\(millis(now - 3 * day))-wishlists", [wishlists], .cassandra5(expiresAfter: 30 * day), age: 3 * day, origin: "dropped")
        try removeLiveFiles(of: wishlists, in: disk[0])
        try take("truncated-\(millis(now - 40 * day))-orders", [orders], .cassandra4(), age: 40 * day, origin: "truncated")
        try take("truncated-\(millis(now - 2 * day))-events", [events], .cassandra5(expiresAfter: 7 * day), age: 2 * day, origin: "truncated")
        try take("pre-scrub-\(millis(now - 10 * day))", [customers], .cassandra4(), age: 10 * day, origin: "pre_scrub")
        try take("\(millis(now - 90 * day))-upgrade-4.1.5-5.0.2", systemTables, .cassandra5(), age: 90 * day, origin: "upgrade")
        try take("0e6ba5f0-7c1d-11ee-8a3b-0242ac120002", [sessions], .cassandra3, age: 5 * day, origin: "repair")
        try take("5d1e8c20-8b5f-11ee-b9d1-0242ac120002", [orders], .cassandra4(ephemeralMarker: true), age: 2 * day, origin: "repair")
        try take("7f3a9b40-9c6e-11ee-a1c2-0242ac120002", [events], .cassandra5(ephemeral: true), age: 0.5 * day, origin: "repair")
        try take("RepairedDataMismatch-\(millis(now - 20 * day))", [customers], .cassandra4(), age: 20 * day, origin: "diagnostic")
        try take("weekly-2024-05-01", [orders, customers], .cassandra4(), age: 6 * day, origin: "user")
        try take("medusa-daily", [orders, events], .cassandra5(expiresAfter: 14 * day), age: 1 * day, origin: "medusa")
        try take("before-migration", [customers], .cassandra5(expiresAfter: 1 * day), age: 4 * day, origin: "user")  // expired, still here
        return taken
    }

    /// Deletes a table's live SSTables, as DROP does after its snapshot.
    private func removeLiveFiles(of table: TableSpec, in dataDirectory: String) throws {
        let directory = path(of: table, in: dataDirectory)
        for name in try files.contentsOfDirectory(atPath: directory) where name.hasSuffix(".db") || name.hasSuffix(".txt") || name.hasSuffix(".crc32") {
            try files.removeItem(atPath: "\(directory)/\(name)")
        }
    }

    /// `nodetool clearsnapshot -t <tag>`: removes `snapshots/<tag>` of every table.
    public func clearSnapshot(tag: String) throws {
        for dataDirectory in dataDirectories {
            for table in tables {
                let target = "\(path(of: table, in: dataDirectory))/snapshots/\(tag)"
                if files.fileExists(atPath: target) { try files.removeItem(atPath: target) }
            }
        }
    }

    /// The operators' shipping job: uploads (not simulated) and then empties every `backups/`.
    public func shipBackups() throws {
        for dataDirectory in dataDirectories {
            for table in tables + [TableSpec.demoDroppedTable] {
                let backups = "\(path(of: table, in: dataDirectory))/backups"
                guard let names = try? files.contentsOfDirectory(atPath: backups) else { continue }
                for name in names { try files.removeItem(atPath: "\(backups)/\(name)") }
            }
        }
    }

    /// Snapshot tags present on the first data directory.
    public func snapshotTags() -> [String] {
        var tags = Set<String>()
        for table in tables {
            let directory = "\(path(of: table, in: dataDirectories[0]))/snapshots"
            tags.formUnion((try? files.contentsOfDirectory(atPath: directory)) ?? [])
        }
        return tags.sorted()
    }

    /// A random table and data directory, for the next event.
    public func randomTarget() -> (TableSpec, String) {
        (tables[Int(random.next() % UInt64(tables.count))], dataDirectories[Int(random.next() % UInt64(dataDirectories.count))])
    }

    // MARK: Files

    @discardableResult
    private func writeSSTable(_ format: SSTableFormat, identifier: String, dataBytes: Int, in directory: String) throws -> [String] {
        var names: [String] = []
        let components = [("Data.db", 1000)] + format.components
        for (component, perMille) in components {
            let name = format.fileName(identifier: identifier, component: component)
            // TOC.txt lists every component, one per line, as Cassandra writes it; Digest.crc32
            // holds Data.db's CRC32 in decimal; the rest are non-zero bytes, written out, so the
            // files take real blocks, as Cassandra's do.
            let contents = switch component {
            case "TOC.txt": Data(components.map { $0.0 + "\n" }.joined().utf8)
            case "Digest.crc32": Data(String(random.next() % 4_294_967_296).utf8)
            default: Data(repeating: 0x5A, count: max(dataBytes * perMille / 1000, 16))
            }
            guard files.createFile(atPath: "\(directory)/\(name)", contents: contents) else {
                throw SimulatorError(message: "cannot create \(directory)/\(name)")
            }
            names.append(name)
        }
        return names
    }

    private func removeSSTable(_ format: SSTableFormat, identifier: String, in directory: String) throws {
        let prefix = format.fileName(identifier: identifier, component: "")
        for name in try files.contentsOfDirectory(atPath: directory) where name.hasPrefix(prefix) {
            try files.removeItem(atPath: "\(directory)/\(name)")
        }
    }

    private func sstableFiles(in directory: String) throws -> [String] {
        try files.contentsOfDirectory(atPath: directory).filter { name in
            var isDirectory: ObjCBool = false
            return files.fileExists(atPath: "\(directory)/\(name)", isDirectory: &isDirectory) && !isDirectory.boolValue
                && !name.hasSuffix(".log")
        }.sorted()
    }

    /// Identifiers of live SSTables, oldest first.
    private func liveIdentifiers(in directory: String, format: SSTableFormat) throws -> [String] {
        let prefix = "\(format.versionPrefix)-"
        let suffix = "-\(format.formatName)-Data.db"
        let identifiers = try files.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }
            .map { String($0.dropFirst(prefix.count).dropLast(suffix.count)) }
        return identifiers.sorted { (Int($0) ?? 0, $0) < (Int($1) ?? 0, $1) }
    }

    /// The largest numeric generation already on disk in the table or its `backups/`, so a
    /// restarted simulator never reuses a name.
    private func highestGeneration(in directory: String) -> Int {
        let names = ((try? files.contentsOfDirectory(atPath: directory)) ?? [])
            + ((try? files.contentsOfDirectory(atPath: directory + "/backups")) ?? [])
        return names.compactMap { name -> Int? in
            let parts = name.split(separator: "-")
            return parts.count >= 4 ? Int(parts[1]) ?? Int(parts[1].prefix(4), radix: 36) : nil
        }.max() ?? 0
    }

    private func nextIdentifier(_ table: TableSpec, directory: String) -> String {
        let generation = (generations[directory] ?? highestGeneration(in: directory)) + 1
        generations[directory] = generation
        return table.format.identifier(generation: generation, using: &random)
    }
}

/// The simulator could not change the tree.
public struct SimulatorError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension ISO8601DateFormatter {
    static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
