import Glibc

/// The components of one SSTable, as a set: the names Cassandra gives them (3.0 to 5.0:
/// `BigFormat.java`, `BtiFormat.java`, `SSTableFormat.Components`), one bit each. Names it does
/// not know are kept as hashes, so a TOC.txt listing a component of a newer version is still
/// checked against the files.
public struct SSTableComponents: Equatable, Sendable {
    /// Known components, one bit each.
    private(set) var known: UInt16 = 0
    /// Hashes (``NameHash``) of components outside ``names``, sorted.
    private(set) var other: [UInt64] = []

    /// The known components in the set, in the order of ``names``.
    public var knownNames: [String] { Self.names.indices.filter { known & (1 << UInt16($0)) != 0 }.map { Self.names[$0] } }

    /// Every component name Cassandra 3.0 to 5.0 writes, by bit.
    public static let names = ["Data.db", "Index.db", "Summary.db", "Statistics.db", "CompressionInfo.db", "Filter.db", "Digest.crc32",
                        "Digest.adler32", "Digest.sha1", "CRC.db", "TOC.txt", "Partitions.db", "Rows.db"]
    static let data = bit("Data.db"), index = bit("Index.db"), partitions = bit("Partitions.db"), toc = bit("TOC.txt")
    /// What Cassandra rebuilds when it loads an SSTable without it: the bloom filter and, for
    /// `big`, the index summary (`SSTableReaderLoadingBuilder`, `BigSSTableReaderLoadingBuilder`).
    static let rebuildable = bit("Filter.db") | bit("Summary.db")

    private static func bit(_ name: String) -> UInt16 { 1 << UInt16(names.firstIndex(of: name)!) }

    /// Whether the set holds every component Cassandra 3.0 to 5.0 can write for an SSTable of its
    /// format (`bti` when `trieIndexed`): Data.db, TOC.txt, Statistics.db, a digest, CompressionInfo.db
    /// or CRC.db (compressed or not), Filter.db, and Index.db with Summary.db (`big`) or Partitions.db
    /// with Rows.db (`bti`). Then no component a TOC.txt of those versions lists can be missing,
    /// and the TOC need not be read.
    func holdsEveryComponent(trieIndexed: Bool) -> Bool {
        let always = Self.data | Self.toc | Self.bit("Statistics.db") | Self.bit("Filter.db")
            | (trieIndexed ? Self.partitions | Self.bit("Rows.db") : Self.index | Self.bit("Summary.db"))
        let digests = Self.bit("Digest.crc32") | Self.bit("Digest.adler32") | Self.bit("Digest.sha1")
        let checksums = Self.bit("CompressionInfo.db") | Self.bit("CRC.db")
        return known & always == always && known & digests != 0 && known & checksums != 0
    }

    /// The bit of the known component `name`, or 0.
    static func bit(of name: UnsafeBufferPointer<UInt8>) -> UInt16 {
        for (index, known) in nameBytes.enumerated() where known.count == name.count && known.elementsEqual(name) {
            return 1 << UInt16(index)
        }
        return 0
    }

    /// The components Cassandra rewrites under the same name, a new inode: Statistics.db (when a
    /// repair marks the SSTable repaired, a level changes: `SSTableReader.mutateRepairedAndReload`)
    /// and Summary.db (`IndexSummaryRedistribution`).
    static let rewritable = bit("Statistics.db") | bit("Summary.db")

    /// Adds the component `name` (its bytes, without the SSTable's prefix), whose bit (``bit(of:)``)
    /// is `bit`.
    mutating func insert(_ name: UnsafeBufferPointer<UInt8>, bit: UInt16) {
        guard bit == 0 else {
            known |= bit
            return
        }
        let hash = NameHash(name).value
        if let position = other.firstIndex(where: { $0 >= hash }) {
            if other[position] != hash { other.insert(hash, at: position) }
        } else {
            other.append(hash)
        }
    }

    private static let nameBytes: [[UInt8]] = names.map { Array($0.utf8) }

    /// The components TOC.txt lists, one name per line (Cassandra writes `Data.db`, `TOC.txt`,
    /// ...; blank lines and a trailing carriage return are ignored); `nil` when it is not text
    /// or names no component.
    public init?(toc bytes: [UInt8]) {
        var components = SSTableComponents()
        var found = false
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            var name = line[...]
            while let last = name.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") { name = name.dropLast() }
            guard !name.isEmpty else { continue }
            guard name.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
            Array(name).withUnsafeBufferPointer { components.insert($0, bit: Self.bit(of: $0)) }
            found = true
        }
        guard found else { return nil }
        self = components
    }

    init() {}
}

/// An SSTable file name split as Cassandra names them, `<version>-<id>-<format>-<Component>`
/// (`Descriptor.java`; 2.x's `<keyspace>-<table>-<version>-<generation>-<Component>` splits the
/// same way): the SSTable is everything before the last `-`, the component everything after.
struct SSTableFileName {
    /// The SSTable's name without the component, `nb-1-big`.
    let sstable: UnsafeBufferPointer<UInt8>
    let component: UnsafeBufferPointer<UInt8>

    /// The component's bit in ``SSTableComponents``; 0 for a component Cassandra 3.0–5.0 does not write.
    let bit: UInt16

    /// `nil` for a name without a `-` (not an SSTable component) or ending in one.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let dash = bytes.lastIndex(of: UInt8(ascii: "-")), dash > 0, dash + 1 < bytes.count else { return nil }
        sstable = UnsafeBufferPointer(rebasing: bytes[..<dash])
        component = UnsafeBufferPointer(rebasing: bytes[(dash + 1)...])
        bit = SSTableComponents.bit(of: component)
    }

    /// Whether the SSTable is trie-indexed (`bti`, 5.0), whose primary index is Partitions.db;
    /// every other format's is Index.db.
    var isTrieIndexed: Bool { sstable.count >= 4 && sstable.suffix(4).elementsEqual("-bti".utf8) }
}

/// FNV-1a over a name's bytes, continued over several parts (`.<index>/` then a file name) so
/// that paths are compared without building strings: the walk reads names in place from
/// `readdir`'s buffer.
struct NameHash: Hashable {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    init() {}

    init(_ bytes: some Sequence<UInt8>) {
        add(bytes)
    }

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
    }

    func adding(_ bytes: some Sequence<UInt8>) -> NameHash {
        var copy = self
        copy.add(bytes)
        return copy
    }
}
