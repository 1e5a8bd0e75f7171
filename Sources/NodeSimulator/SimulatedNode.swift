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
        try snapshot(tag: "dropped-1700000000000-\(table.name)", of: [table], in: [dataDirectory])
        let directory = path(of: table, in: dataDirectory)
        for name in try files.contentsOfDirectory(atPath: directory) where name.hasSuffix(".db") || name.hasSuffix(".txt") || name.hasSuffix(".crc32") {
            try files.removeItem(atPath: "\(directory)/\(name)")
        }
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

    /// Hard-links every live file of `tables` into `snapshots/<tag>/` of each data directory,
    /// with `manifest.json` (Cassandra 5.0 fields) and `schema.cql`.
    public func snapshot(tag: String, of tables: [TableSpec]? = nil, in dataDirectories: [String]? = nil) throws {
        let createdAt = ISO8601DateFormatter.withFractions.string(from: Date())
        for dataDirectory in dataDirectories ?? self.dataDirectories {
            for table in tables ?? self.tables {
                let directory = path(of: table, in: dataDirectory)
                let target = "\(directory)/snapshots/\(tag)"
                try files.createDirectory(atPath: target, withIntermediateDirectories: true)
                var listed: [String] = []
                for (source, destination) in [(directory, target)] + table.indexes.map({ ("\(directory)/.\($0)", "\(target)/.\($0)") }) {
                    try files.createDirectory(atPath: destination, withIntermediateDirectories: true)
                    for name in try sstableFiles(in: source) {
                        try files.linkItem(atPath: "\(source)/\(name)", toPath: "\(destination)/\(name)")
                        if name.hasSuffix("-Data.db") { listed.append(name) }
                    }
                }
                let manifest: [String: Any] = ["files": listed, "created_at": createdAt, "expires_at": NSNull(), "ephemeral": false]
                try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])
                    .write(to: URL(fileURLWithPath: "\(target)/manifest.json"))
                try Data("CREATE TABLE IF NOT EXISTS \(table.keyspace).\(table.name) (id uuid PRIMARY KEY);\n".utf8)
                    .write(to: URL(fileURLWithPath: "\(target)/schema.cql"))
            }
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
        for (component, perMille) in [("Data.db", 1000)] + format.components {
            let name = format.fileName(identifier: identifier, component: component)
            let size = component == "TOC.txt" || component == "Digest.crc32" ? 10 + Int(random.next() % 80)
                : max(dataBytes * perMille / 1000, 16)
            // Non-zero bytes, written out: the files take real blocks, as Cassandra's do.
            guard files.createFile(atPath: "\(directory)/\(name)", contents: Data(repeating: 0x5A, count: size)) else {
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
