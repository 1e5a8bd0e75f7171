import BackupScan
import Exposition
import FoundationEssentials
import MicroHTTPD
import Synchronization

/// The responses served until the next collection.
///
/// The metrics are rendered in the formats and encodings that scrapes asked for lately (see
/// ``MetricsDemand``), when the pages are made; any other is rendered on the first request that
/// asks for it, then kept. Prometheus asks for one of the four, so rendering and compressing all
/// four after every scan was work nobody read (it was most of an idle daemon's CPU time).
public struct Pages: Sendable {
    public let landing: HTTPResponse
    private let metrics: MetricsResponses

    init(state: PublishedState, telemetryPath: String, headers: ResponseHeaders, demand: MetricsDemand) {
        metrics = MetricsResponses(families: state.families, headers: headers, demand: demand)
        landing = headers.response(200, contentType: "text/html; charset=utf-8",
                                   text: LandingPage.html(state: state.merged, telemetryPath: telemetryPath))
    }

    /// The metrics response for a format and encoding.
    public func metrics(_ format: ExpositionFormat, gzip: Bool) -> HTTPResponse {
        metrics.response(MetricsVariant(format: format, gzip: gzip))
    }
}

/// One of the four metrics responses: a format, plain or gzip-compressed.
struct MetricsVariant: Hashable, Sendable {
    let format: ExpositionFormat
    let gzip: Bool
}

/// Which metrics variants scrapes asked for lately, so the next pages render those ahead, on the
/// thread that publishes a collection, and a scrape only hands over bytes.
final class MetricsDemand: Sendable {
    /// How long a variant stays wanted after it was last asked for: Prometheus' default look-back,
    /// longer than any usual scrape interval.
    static let memory = Duration.seconds(300)
    private let lastAsked = Mutex<[MetricsVariant: ContinuousClock.Instant]>([:])

    func note(_ variant: MetricsVariant) {
        let now = ContinuousClock.now
        lastAsked.withLock { $0[variant] = now }
    }

    /// The variants asked for within ``memory``.
    var wanted: [MetricsVariant] {
        let now = ContinuousClock.now
        return lastAsked.withLock { $0.filter { now - $0.value < Self.memory }.map(\.key) }
    }
}

/// The metrics of one collection in each variant: the wanted ones rendered when made, any other
/// when first asked for.
private final class MetricsResponses: Sendable {
    private let families: [MetricFamily]
    private let headers: ResponseHeaders
    private let demand: MetricsDemand
    private let rendered: Mutex<[MetricsVariant: HTTPResponse]>

    init(families: [MetricFamily], headers: ResponseHeaders, demand: MetricsDemand) {
        self.families = families
        self.headers = headers
        self.demand = demand
        rendered = Mutex(Dictionary(uniqueKeysWithValues: demand.wanted.map { ($0, Self.render($0, families, headers)) }))
    }

    func response(_ variant: MetricsVariant) -> HTTPResponse {
        demand.note(variant)
        if let response = rendered.withLock({ $0[variant] }) { return response }
        // Rendered outside the lock, so a request for a prepared variant never waits behind a
        // render; two first requests for the same variant may both render it, and both results
        // are the same.
        let response = Self.render(variant, families, headers)
        return rendered.withLock { rendered in
            if let first = rendered[variant] { return first }
            rendered[variant] = response
            return response
        }
    }

    private static func render(_ variant: MetricsVariant, _ families: [MetricFamily], _ headers: ResponseHeaders) -> HTTPResponse {
        let text = TextFormat.render(families, as: variant.format)
        let vary = [(name: "Vary", value: "Accept, Accept-Encoding")]
        let contentType = variant.format.contentType
        return variant.gzip
            ? headers.response(200, contentType: contentType, gzipped: Gzip.compress(utf8: text), own: vary)
            : headers.response(200, contentType: contentType, text: text, own: vary)
    }
}

/// Holds the current ``Pages``; swapped whole after each collection, read by every request.
public final class PageStore: Sendable {
    private let current: Mutex<Pages>

    public init(_ pages: Pages) {
        current = Mutex(pages)
    }

    /// The pages of the latest collection.
    public var pages: Pages { current.withLock { $0 } }

    /// Replaces the pages; requests already answered keep the responses they had.
    public func publish(_ pages: Pages) {
        current.withLock { $0 = pages }
    }
}
