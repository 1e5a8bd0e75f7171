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
    /// Sample lines rendered ahead (``TableLineCache``), each chunk sorted and the chunks in
    /// exposition order; written after the lines of ``samples``.
    public var renderedLines: [String]

    public init(name: String, help: String, kind: Kind = .gauge, samples: [Sample] = [], renderedLines: [String] = []) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
        self.renderedLines = renderedLines
    }

    /// Whether the family has any sample to show.
    var isEmpty: Bool { samples.isEmpty && renderedLines.allSatisfy(\.isEmpty) }
}

/// The families of one exposition in two groups, each written sorted by name: those derived from
/// the table measurements, which stay the same from scan to scan while the tables do, then those
/// that change with every scan (timings, filesystem headroom, the process). The split lets the
/// compressed form of the first group be kept (``TextFormat/pieces(_:as:)``).
public struct ExpositionFamilies: Sendable {
    public var stable: [MetricFamily]
    public var volatile: [MetricFamily]
    /// Identifies ``stable`` among the expositions made with one ``TableLineCache``: the same
    /// generation, the same stable families (`nil`: not known).
    public var stableGeneration: Int?

    public init(stable: [MetricFamily], volatile: [MetricFamily], stableGeneration: Int? = nil) {
        self.stable = stable
        self.volatile = volatile
        self.stableGeneration = stableGeneration
    }

    /// Every family, the stable ones first.
    public var all: [MetricFamily] { stable + volatile }
}
