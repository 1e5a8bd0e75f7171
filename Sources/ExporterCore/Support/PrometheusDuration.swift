/// A duration in Prometheus syntax: units `y w d h m s ms` from largest to smallest, each at most
/// once, e.g. `90s`, `1h30m`, `500ms`. A year is 365 days, as in Prometheus.
public struct PrometheusDuration: Sendable, Equatable, CustomStringConvertible {
    /// Whole milliseconds.
    public let milliseconds: Int64

    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000),
        ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    /// The longest duration Prometheus parses: Go's `time.Duration` counts nanoseconds in an
    /// `Int64` (about 292 years); longer is "duration out of range" there.
    public static let maximumMilliseconds = Int64.max / 1_000_000

    /// Parses `text`; `nil` when it is not a valid, non-zero duration within Prometheus' range.
    public init?(_ text: String) {
        var rest = Substring(text)
        var total: Int64 = 0
        var nextUnit = 0
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, let value = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let letters = rest.prefix(while: { $0.isASCII && $0.isLetter })
            guard let unit = Self.units[nextUnit...].firstIndex(where: { $0.suffix == letters }) else { return nil }
            let (product, overflowProduct) = value.multipliedReportingOverflow(by: Self.units[unit].milliseconds)
            let (sum, overflowSum) = total.addingReportingOverflow(product)
            guard !overflowProduct, !overflowSum else { return nil }
            total = sum
            nextUnit = unit + 1
            rest = rest.dropFirst(letters.count)
        }
        guard total > 0, total <= Self.maximumMilliseconds else { return nil }
        milliseconds = total
    }

    /// As a Swift `Duration`.
    public var duration: Duration { .milliseconds(milliseconds) }

    /// Shortest Prometheus form, e.g. `1m30s`.
    public var description: String {
        var rest = milliseconds
        var text = ""
        for unit in Self.units where rest >= unit.milliseconds {
            text += "\(rest / unit.milliseconds)\(unit.suffix)"
            rest %= unit.milliseconds
        }
        return text
    }
}
