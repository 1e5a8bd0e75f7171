/// Writes metric families in the Prometheus text exposition format, version 0.0.4.
///
/// Written by hand rather than with swift-prometheus: its 2.x renderer neither escapes label
/// values nor keeps a stable order, and the exporter builds each measurement fresh anyway, so a
/// registry of long-lived metric objects would only add state. Output is sorted by family name
/// and then by the rendered label set, so it is stable from scan to scan.
public enum TextFormat {
    /// The `Content-Type` of the rendered text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Renders `families`; families without samples are left out.
    public static func render(_ families: [MetricFamily]) -> String {
        var output = ""
        for family in families.sorted(by: { $0.name < $1.name }) where !family.samples.isEmpty {
            output += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            output += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            let lines = family.samples.map { sample in
                (labels: renderLabels(sample.labels), value: formatValue(sample.value))
            }
            for line in lines.sorted(by: { $0.labels < $1.labels }) {
                output += family.name + line.labels + " " + line.value + "\n"
            }
        }
        return output
    }

    /// `{a="1",b="2"}`, or the empty string without labels.
    static func renderLabels(_ labels: [(name: String, value: String)]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ",") + "}"
    }

    /// Escapes `\`, `"` and line feed, as the text format requires for label values.
    ///
    /// Works on Unicode scalars, not characters: a line feed followed by a combining mark is one
    /// `Character` that is not `"\n"`, yet it still ends the line for a parser (found by fuzzing).
    public static func escapeLabelValue(_ value: String) -> String {
        escape(value, quote: true)
    }

    /// Escapes `\` and line feed, as the text format requires for HELP text.
    static func escapeHelp(_ text: String) -> String {
        escape(text, quote: false)
    }

    private static func escape(_ text: String, quote: Bool) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\\" || $0 == "\n" || (quote && $0 == "\"") }) else { return text }
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
