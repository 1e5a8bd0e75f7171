import Foundation

/// A node laid out from ``RealSSTable``s as Cassandra lays one out: per fixture SSTable a table
/// `legacy/<table>-<id>` with two live SSTables (generations 1 and 2), both linked into
/// `backups/` as flushes are, a third only in `backups/` (compacted away since), every fifth
/// table with a secondary index (`.<table>_idx/`, its backup in `backups/.<table>_idx/`), and a
/// snapshot `tag` of the live SSTables with `manifest.json` in the shape of the SSTable's
/// Cassandra version (4.0: `files`; 4.1: `created_at`, `expires_at`; 5.0: also `ephemeral`,
/// pretty-printed, and a field of a later version) and `schema.cql`.
///
/// With two data directories (JBOD) generation 1 lives in the first and generation 2 in the
/// second; the snapshot is split the same way, and its manifest and schema are written in the
/// first only, naming the files of both, as Cassandra writes them.
public struct RealNode {
    public let root: String
    public let dataDirectories: [String]
    public let tag: String
    public let sstables: [RealSSTable]

    public init(root: String, dataDirectories: [String] = ["data"], tag: String = "weekly", sstables: [RealSSTable] = RealSSTable.all) {
        self.root = root
        self.dataDirectories = dataDirectories
        self.tag = tag
        self.sstables = sstables
    }

    /// The table directory of fixture SSTable `index` in data directory `dataDirectory`, relative to the root.
    public func table(_ index: Int, in dataDirectory: String) -> String {
        "\(dataDirectory)/legacy/\(sstables[index].table)-\(Self.tableID(index))"
    }

    public static func tableID(_ index: Int) -> String { String(format: "%032x", 0xC0FFEE00 + index) }

    /// The index directory's name of fixture SSTable `index`'s table, or nil when it has none.
    public func indexDirectory(_ index: Int) -> String? { index % 5 == 0 ? ".\(sstables[index].table)_idx" : nil }

    /// Lays the node out.
    public func build() throws {
        let tree = FixtureBuilder(root: root)
        for (index, sstable) in sstables.enumerated() {
            let home = { (generation: Int) in dataDirectories[(generation - 1) % dataDirectories.count] }
            var manifestFiles: [String] = []
            for generation in [1, 2] {
                let table = table(index, in: home(generation))
                try sstable.write(in: table, generation: generation, with: tree)
                try sstable.link(from: table, into: "\(table)/backups", generation: generation, with: tree)
                try sstable.link(from: table, into: "\(table)/snapshots/\(tag)", generation: generation, with: tree)
                manifestFiles.append(sstable.file("Data.db", generation: generation))
            }
            let first = table(index, in: dataDirectories[0])
            try sstable.write(in: "\(first)/backups", generation: 3, with: tree)
            if let indexDirectory = indexDirectory(index) {
                try sstable.write(in: "\(first)/\(indexDirectory)", generation: 1, with: tree)
                try sstable.link(from: "\(first)/\(indexDirectory)", into: "\(first)/backups/\(indexDirectory)", generation: 1, with: tree)
                try sstable.link(from: "\(first)/\(indexDirectory)", into: "\(first)/snapshots/\(tag)/\(indexDirectory)", generation: 1, with: tree)
                manifestFiles.append("\(indexDirectory)/\(sstable.file("Data.db", generation: 1))")
            }
            try tree.text("\(first)/snapshots/\(tag)/manifest.json", Self.manifest(version: sstable.version, files: manifestFiles))
            try tree.text("\(first)/snapshots/\(tag)/schema.cql",
                          "CREATE TABLE IF NOT EXISTS legacy.\(sstable.table) (k int PRIMARY KEY, v text);\n")
        }
    }

    /// `manifest.json` as the Cassandra of `version` writes it.
    static func manifest(version: String, files: [String]) -> String {
        let list = files.map { "\"\($0)\"" }.joined(separator: ",")
        switch version.first {
        case "m": return "{\"files\":[\(list)]}"  // 3.x and 4.0
        case "n": return "{\"files\":[\(list)],\"created_at\":\"2026-11-30T02:00:00.123Z\",\"expires_at\":null}"  // 4.1
        default:  // 5.0: pretty-printed, ephemeral; a later version's field is ignored
            return "{\n  \"files\" : [ \(files.map { "\"\($0)\"" }.joined(separator: ", ")) ],\n  \"created_at\" : \"2026-11-30T02:00:00.123456789Z\",\n"
                + "  \"expires_at\" : null,\n  \"ephemeral\" : false,\n  \"from_a_later_version\" : { \"x\" : 1 }\n}\n"
        }
    }
}
