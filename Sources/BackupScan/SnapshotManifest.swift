import Foundation

/// Reads `created_at` from a snapshot's `manifest.json`.
///
/// Cassandra 5.0 (`SnapshotManifest.java`) writes `created_at` as an ISO-8601 instant
/// (`2024-05-01T10:15:30.123456789Z`, Java's `Instant.toString`); older versions write no such field.
enum SnapshotManifest {
    /// Seconds since the epoch, or `nil` when the manifest has no readable `created_at`.
    static func createdAt(json: [UInt8]) -> Double? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else { return nil }
        switch object["created_at"] {
        case let text as String: return parseInstant(text)
        case let millis as NSNumber: return millis.doubleValue / 1000
        default: return nil
        }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; any number of fraction digits.
    static func parseInstant(_ text: String) -> Double? {
        var whole = text
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix(while: \.isNumber)
            guard !digits.isEmpty, let value = Double("0." + digits) else { return nil }
            fraction = value
            whole = String(text[..<dot]) + text[text.index(dot, offsetBy: digits.count + 1)...]
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: whole) else { return nil }
        return date.timeIntervalSince1970 + fraction
    }
}
