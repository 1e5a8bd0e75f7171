/// A table of the simulated node.
public struct TableSpec: Sendable {
    public let keyspace: String
    public let name: String
    /// 32 lowercase hex digits.
    public let id: String
    public let format: SSTableFormat
    /// Secondary indexes, stored in `.<index>/`.
    public let indexes: [String]
    /// Typical `Data.db` size of one flush, in bytes.
    public let flushBytes: Int

    public init(keyspace: String, name: String, id: String, format: SSTableFormat, indexes: [String] = [], flushBytes: Int) {
        self.keyspace = keyspace
        self.name = name
        self.id = id
        self.format = format
        self.indexes = indexes
        self.flushBytes = flushBytes
    }

    /// `<keyspace>/<name>-<id>`.
    public var relativePath: String { "\(keyspace)/\(name)-\(id)" }
}

extension TableSpec {
    /// A small node: system tables with their fixed ids, user tables in every naming scheme, a
    /// table with a secondary index.
    public static let demoSchema: [TableSpec] = [
        TableSpec(keyspace: "system", name: "local", id: "7ad54392bcdd35a684174e047860b377",
                  format: .cassandra4, flushBytes: 8_192),
        TableSpec(keyspace: "system", name: "peers_v2", id: "c4325fbb8e5e3bafbd070f9250ed818e",
                  format: .cassandra4, flushBytes: 4_096),
        TableSpec(keyspace: "system_schema", name: "tables", id: "afddfb9dbc1e30688056eed6c302ba09",
                  format: .cassandra4, flushBytes: 16_384),
        TableSpec(keyspace: "shop", name: "orders", id: "5a1c395e32b611eeb5ad0242ac120002",
                  format: .cassandra4, flushBytes: 262_144),
        TableSpec(keyspace: "shop", name: "customers", id: "0f6bc7a032b711eeb5ad0242ac120002",
                  format: .cassandra4UUID, indexes: ["customers_email_idx"], flushBytes: 131_072),
        TableSpec(keyspace: "telemetry", name: "events", id: "9b2e1f40a7c811eea3b10242ac120002",
                  format: .cassandra5BTI, flushBytes: 524_288),
        TableSpec(keyspace: "legacy", name: "sessions", id: "3e8a7d10e51f11e7b0c2f7d1a2b3c4d5",
                  format: .cassandra3, flushBytes: 65_536),
    ]

    /// A table dropped and re-created under the same name: the old directory keeps its
    /// `backups/` and a `dropped-<ms>-<table>` snapshot, with no live SSTable.
    public static let demoDroppedTable = TableSpec(keyspace: "shop", name: "carts", id: "11111111222233334444555555555555",
                                                   format: .cassandra4, flushBytes: 65_536)
    public static let demoRecreatedTable = TableSpec(keyspace: "shop", name: "carts", id: "aaaaaaaabbbbccccddddeeeeeeeeeeee",
                                                     format: .cassandra4, flushBytes: 65_536)
}

extension TableSpec {
    /// `count` extra tables in keyspaces of 50 tables each, in every naming scheme in turn,
    /// for trees the size of a big node (benchmarks).
    public static func bulkSchema(count: Int, seed: UInt64 = 99) -> [TableSpec] {
        var random = SplitMix64(seed: seed)
        let formats = SSTableFormat.allCases
        return (0..<count).map { number in
            let id = (0..<2).map { _ in String(random.next(), radix: 16).leftPadded16() }.joined()
            return TableSpec(keyspace: "bulk_\(number / 50)", name: "table_\(number % 50)", id: id,
                             format: formats[number % formats.count], indexes: number % 10 == 0 ? ["table_\(number % 50)_idx"] : [],
                             flushBytes: 4_096)
        }
    }
}

extension String {
    fileprivate func leftPadded16() -> String { String(repeating: "0", count: max(0, 16 - count)) + self }
}
