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
    public static func escapeLabelValue(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" || $0 == "\r\n" }) else { return value }
        var escaped = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// Escapes `\` and line feed, as the text format requires for HELP text.
    static func escapeHelp(_ text: String) -> String {
        text.replacingAll("\\", with: "\\\\").replacingAll("\n", with: "\\n")
    }

    /// Integers without a fraction or exponent; other values in Swift's shortest round-trip form.
    public static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
