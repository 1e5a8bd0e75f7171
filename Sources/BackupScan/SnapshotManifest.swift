import FoundationEssentials
import Glibc

/// The fields the exporter reads from a snapshot's `manifest.json`.
///
/// Cassandra 5.0 (`SnapshotManifest.java`) writes `created_at` and, for a snapshot taken with a
/// TTL (`nodetool snapshot --ttl`, `auto_snapshot_ttl`), `expires_at`, both ISO-8601 instants
/// (`2024-05-01T10:15:30.123456789Z`, Java's `Instant.toString`), and `"ephemeral": true` for a
/// repair's snapshot; 4.x writes only `files`.
public struct SnapshotManifest: Sendable, Equatable {
    /// Seconds since the epoch; `nil` when absent or unreadable.
    public var createdAt: Double?
    public var expiresAt: Double?
    public var ephemeral = false
    /// `files`: the snapshot's Data.db paths relative to its directory (`.<index>/` for an
    /// index's), in every version since 2.1; `nil` when absent or not a list of strings.
    public var files: [String]?

    public init(createdAt: Double? = nil, expiresAt: Double? = nil, ephemeral: Bool = false, files: [String]? = nil) {
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.ephemeral = ephemeral
        self.files = files
    }

    /// The manifest's fields; `nil` when the text is not a JSON object. A field of another
    /// type than expected counts as absent; fields the exporter does not read are ignored.
    public init?(json: [UInt8]) {
        guard let fields = try? JSONDecoder().decode(Fields.self, from: Data(json)) else { return nil }
        self.init(createdAt: fields.createdAt, expiresAt: fields.expiresAt, ephemeral: fields.ephemeral, files: fields.files)
    }

    /// The manifest's JSON object, read field by field so that one odd field spoils only itself.
    private struct Fields: Decodable {
        let createdAt: Double?
        let expiresAt: Double?
        let ephemeral: Bool
        let files: [String]?

        private enum Key: String, CodingKey {
            case createdAt = "created_at", expiresAt = "expires_at", ephemeral, files
        }

        init(from decoder: any Decoder) throws {
            let object = try decoder.container(keyedBy: Key.self)
            /// An ISO-8601 text, or milliseconds since the epoch.
            func instant(_ key: Key) -> Double? {
                if let text = try? object.decode(String.self, forKey: key) { return SnapshotManifest.parseInstant(text) }
                return (try? object.decode(Double.self, forKey: key)).map { $0 / 1000 }
            }
            createdAt = instant(.createdAt)
            expiresAt = instant(.expiresAt)
            ephemeral = (try? object.decode(Bool.self, forKey: .ephemeral)) == true
            files = try? object.decode([String].self, forKey: .files)
        }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, any number of fraction digits.
    ///
    /// By hand rather than with `ISO8601DateFormatter`: that one goes through ICU, costs
    /// milliseconds per call on a node with thousands of snapshots, and stops at millisecond
    /// fractions.
    public static func parseInstant(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ length: Int) -> Int? {
            guard start + length <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<start + length] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54 || bytes[10] == 0x74,
              bytes[13] == 0x3A, bytes[16] == 0x3A,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var position = 19
        var fraction = 0.0
        if bytes[position] == 0x2E {
            var scale = 0.1
            position += 1
            let digitsStart = position
            while position < bytes.count, (0x30...0x39).contains(bytes[position]) {
                fraction += Double(bytes[position] - 0x30) * scale
                scale /= 10
                position += 1
            }
            guard position > digitsStart else { return nil }
        }
        var offset = 0
        switch bytes.count - position {
        case 1 where bytes[position] == 0x5A || bytes[position] == 0x7A: break  // Z
        case 6 where (bytes[position] == 0x2B || bytes[position] == 0x2D) && bytes[position + 3] == 0x3A:
            guard let hours = number(position + 1, 2), let minutes = number(position + 4, 2) else { return nil }
            offset = (hours * 3600 + minutes * 60) * (bytes[position] == 0x2D ? -1 : 1)
        default: return nil
        }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month - 1)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(hour)
        fields.tm_min = Int32(minute)
        fields.tm_sec = Int32(second)
        return Double(timegm(&fields) - offset) + fraction
    }
}
