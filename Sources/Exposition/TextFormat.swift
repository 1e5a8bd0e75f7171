/// A run of an exposition's text, under a key that the same run has in the next exposition: a
/// family's head (its HELP and TYPE lines and its own samples), or a block of its per-table
/// chunks (``MetricFamily/renderedLines``). Lets a compressed form be kept per piece
/// (`PiecewiseGzip`): when one table changes, only the blocks holding its changed lines differ.
public struct TextPiece: Sendable {
    public struct Key: Hashable, Sendable {
        public let family: String
        /// 0 for the head, then 1, 2, … for the blocks of chunks in order.
        public let block: Int
    }

    /// Per-table chunks in a block. On a 509-table node (1.41 MB of text) blocks of 32 compress
    /// to 258 KB against 249 KB for the whole text at once (16: 288 KB, 64: 249 KB), and a
    /// table that changed costs compressing its changed families' blocks, about 5 KB each.
    static let chunksPerBlock = 32

    public let key: Key
    /// The text, in parts to be joined in order.
    public let parts: ArraySlice<String>
}

/// The two text formats a scrape can ask for.
public enum ExpositionFormat: Sendable, CaseIterable {
    /// The Prometheus text format, version 0.0.4.
    case prometheus
    /// OpenMetrics 1.0 text: counters typed without `_total`, `# UNIT` for bytes and seconds,
    /// `info` for `_info` families, `# EOF` last.
    case openMetrics

    /// The `Content-Type` of the rendered text.
    public var contentType: String {
        switch self {
        case .prometheus: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }
}

/// Writes metric families in the Prometheus text exposition format (0.0.4) or in OpenMetrics 1.0.
///
/// Written by hand rather than with swift-prometheus: its 2.x renderer neither escapes label
/// values nor keeps a stable order nor speaks OpenMetrics, and the exporter keeps rendered lines
/// per table (``TableLineCache``) rather than metric objects, so a registry would only add state.
/// Output is sorted by family name and then by the rendered label set, so it is stable from scan
/// to scan. Both formats carry the same samples under the same names.
public enum TextFormat {
    /// Renders `families` in `format`, sorted by name; families without samples are left out.
    public static func render(_ families: [MetricFamily], as format: ExpositionFormat = .prometheus) -> String {
        var output = ""
        append(families, format, to: &output)
        if format == .openMetrics { output += "# EOF\n" }
        return output
    }

    /// Renders both groups, each sorted by name, the stable one first: the text is the two parts
    /// joined, and the first part repeats from scan to scan while the tables do not change.
    public static func renderParts(_ families: ExpositionFamilies, as format: ExpositionFormat = .prometheus) -> (stable: String, volatile: String) {
        var stable = "", volatile = ""
        append(families.stable, format, to: &stable)
        append(families.volatile, format, to: &volatile)
        if format == .openMetrics { volatile += "# EOF\n" }
        return (stable, volatile)
    }

    /// The text of `families` in `format` as pieces, sorted by name; families without samples
    /// are left out. The text is the pieces' parts joined in order.
    public static func pieces(_ families: [MetricFamily], as format: ExpositionFormat) -> [TextPiece] {
        var pieces: [TextPiece] = []
        for family in families.sorted(by: { $0.name < $1.name }) where !family.isEmpty {
            var head = header(of: family, format)
            // The lines of a family differ first in their label sets (a set ends at its only
            // unquoted `}`), so sorting whole lines sorts by label set.
            var lines = family.samples.map { line(family.name, labels: labelText($0.labels), value: $0.value) }
            lines.sort()
            for line in lines { head += line }
            pieces.append(TextPiece(key: .init(family: family.name, block: 0), parts: [head]))
            for (block, start) in stride(from: 0, to: family.renderedLines.count, by: TextPiece.chunksPerBlock).enumerated() {
                let end = min(start + TextPiece.chunksPerBlock, family.renderedLines.count)
                pieces.append(TextPiece(key: .init(family: family.name, block: block + 1), parts: family.renderedLines[start..<end]))
            }
        }
        return pieces
    }

    private static func append(_ families: [MetricFamily], _ format: ExpositionFormat, to output: inout String) {
        let pieces = pieces(families, as: format)
        // The lines rendered ahead are most of a large exposition: room for them at once.
        output.reserveCapacity(output.utf8.count + pieces.reduce(0) { total, piece in piece.parts.reduce(total) { $0 + $1.utf8.count } })
        for piece in pieces {
            for part in piece.parts { output += part }
        }
    }

    /// One sample line, `name{labels} value` and a line feed; `labels` as ``labelText(_:)``
    /// writes them (empty: no braces).
    static func line(_ name: String, labels: String, value: Double) -> String {
        var line = name
        if !labels.isEmpty {
            line += "{"
            line += labels
            line += "}"
        }
        line += " "
        line += formatValue(value)
        line += "\n"
        return line
    }

    /// The `# HELP`, `# TYPE` (and in OpenMetrics `# UNIT`) lines of a family.
    private static func header(of family: MetricFamily, _ format: ExpositionFormat) -> String {
        switch format {
        case .prometheus:
            let type = family.kind == .counter ? "counter" : "gauge"
            return "# HELP \(family.name) \(escape(family.help, quote: false))\n# TYPE \(family.name) \(type)\n"
        case .openMetrics:
            // OpenMetrics names the family without the sample suffix: `x_total` samples belong to
            // counter `x`, `x_info` samples to info `x`.
            let (name, type): (Substring, String) = switch family.kind {
            case .counter: (family.name.dropLast(family.name.hasSuffix("_total") ? 6 : 0), "counter")
            case .info: (family.name.dropLast(family.name.hasSuffix("_info") ? 5 : 0), "info")
            case .gauge: (Substring(family.name), "gauge")
            }
            var lines = "# HELP \(name) \(escape(family.help, quote: true))\n# TYPE \(name) \(type)\n"
            if let unit = ["seconds", "bytes"].first(where: { name.hasSuffix("_" + $0) }) {
                lines += "# UNIT \(name) \(unit)\n"
            }
            return lines
        }
    }

    /// `a="1",b="2"`, the label values escaped; empty without labels.
    static func labelText(_ labels: [(name: String, value: String)]) -> String {
        var text = ""
        for (index, label) in labels.enumerated() {
            if index > 0 { text += "," }
            text += label.name
            text += "=\""
            text += escapeLabelValue(label.value)
            text += "\""
        }
        return text
    }

    /// Escapes `\`, `"` and line feed, as the text format requires for label values.
    ///
    /// Works on Unicode scalars, not characters: a line feed followed by a combining mark is one
    /// `Character` that is not `"\n"`, yet it still ends the line for a parser (found by fuzzing).
    public static func escapeLabelValue(_ value: String) -> String {
        escape(value, quote: true)
    }

    private static func escape(_ text: String, quote: Bool) -> String {
        // The bytes of `\`, `"` and line feed never occur inside a multi-byte UTF-8 sequence.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\n") || (quote && $0 == UInt8(ascii: "\"")) })
        else { return text }
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\"" where quote: escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// Integers without a fraction or exponent; other values in Swift's shortest round-trip form.
    public static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
