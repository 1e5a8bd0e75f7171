/// How one Cassandra version names SSTable files (`Descriptor.java`):
/// `<version>-<id>-<format>-<Component>`.
public enum SSTableFormat: String, Sendable, CaseIterable {
    /// Cassandra 3.11: `mc-12-big-Data.db`.
    case cassandra3
    /// Cassandra 4.x: `nb-7-big-Data.db`.
    case cassandra4
    /// Cassandra 4.1+ with `uuid_sstable_identifiers_enabled`: `nb-3g1m_0nuf_3vj5m2k1125165rxa7-big-Data.db`.
    case cassandra4UUID
    /// Cassandra 5.0 BTI format: `da-3g1m_0nuf_3vj5m2k1125165rxa7-bti-Data.db`.
    case cassandra5BTI

    var versionPrefix: String {
        switch self {
        case .cassandra3: "mc"
        case .cassandra4, .cassandra4UUID: "nb"
        case .cassandra5BTI: "da"
        }
    }

    var formatName: String { self == .cassandra5BTI ? "bti" : "big" }

    var usesUUIDIdentifiers: Bool { self == .cassandra4UUID || self == .cassandra5BTI }

    /// Component files besides `Data.db`, with a typical size relative to it (per mille).
    var components: [(name: String, perMille: Int)] {
        var list: [(String, Int)] = [("Statistics.db", 5), ("Digest.crc32", 0), ("TOC.txt", 0),
                                     ("CompressionInfo.db", 3), ("Filter.db", 8)]
        if self == .cassandra5BTI {
            list += [("Partitions.db", 20), ("Rows.db", 30)]
        } else {
            list += [("Index.db", 40), ("Summary.db", 2)]
        }
        return list
    }

    /// The file name of `component` for the SSTable `identifier`.
    func fileName(identifier: String, component: String) -> String {
        "\(versionPrefix)-\(identifier)-\(formatName)-\(component)"
    }

    /// A new identifier: the next generation number, or a time-based UUID identifier.
    func identifier(generation: Int, using random: inout SplitMix64) -> String {
        guard usesUUIDIdentifiers else { return String(generation) }
        // 28 characters: [0-9a-z]{4}_[0-9a-z]{4}_[0-9a-z]{5}[0-9a-z]{13}; the first part grows with
        // the generation so names sort by age, as Cassandra's time-based ones do.
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        func chars(_ count: Int) -> String { String((0..<count).map { _ in alphabet[Int(random.next() % 36)] }) }
        let day = String(generation, radix: 36).leftPadded(to: 4)
        return "\(day)_\(chars(4))_\(chars(5))\(chars(13))"
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? String(suffix(length)) : String(repeating: "0", count: length - count) + self
    }
}
