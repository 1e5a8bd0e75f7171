/// One metric family of the Prometheus text format: HELP, TYPE and its samples.
public struct MetricFamily: Sendable {
    public enum Kind: Sendable {
        case gauge, counter
        /// A constant 1 whose labels describe something (`*_info`): a gauge in the 0.0.4 text
        /// format, OpenMetrics' `info` type.
        case info
    }

    /// One line of the family: label pairs and a value.
    public struct Sample: Sendable {
        public let labels: [(name: String, value: String)]
        public let value: Double

        public init(_ labels: [(name: String, value: String)], _ value: Double) {
            self.labels = labels
            self.value = value
        }

        /// A sample without labels.
        public init(_ value: Double) {
            self.init([], value)
        }
    }

    public let name: String
    public let help: String
    public let kind: Kind
    public var samples: [Sample]

    public init(name: String, help: String, kind: Kind = .gauge, samples: [Sample] = []) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
    }
}
