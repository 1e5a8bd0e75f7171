import BackupScan
import Exposition
import Foundation
import MicroHTTPD
import Synchronization

/// The responses served until the next collection.
///
/// A metrics response is rendered on the first request that asks for its format and encoding,
/// then kept until the next collection: Prometheus asks for one of the four, so rendering and
/// compressing the others after every scan would be work nobody reads (it was most of an idle
/// daemon's CPU time).
public struct Pages: Sendable {
    public let landing: HTTPResponse
    private let metrics: MetricsResponses

    /// The text exposition of `state` in `format`.
    public static func exposition(of state: CollectorState, as format: ExpositionFormat = .prometheus) -> String {
        TextFormat.render(families(of: state), as: format)
    }

    private static func families(of state: CollectorState) -> [MetricFamily] {
        ExporterMetrics.families(measurement: state.measurement, status: state.status)
    }

    public init(state: CollectorState, telemetryPath: String, headers: ResponseHeaders) {
        metrics = MetricsResponses(families: Self.families(of: state), headers: headers)
        landing = headers.response(200, contentType: "text/html; charset=utf-8",
                                   text: LandingPage.html(state: state, telemetryPath: telemetryPath))
    }

    /// The metrics response for a format and encoding.
    public func metrics(_ format: ExpositionFormat, gzip: Bool) -> HTTPResponse {
        metrics.response(format, gzip: gzip)
    }
}

/// The metrics of one collection in each format and encoding, each rendered when first asked for.
private final class MetricsResponses: Sendable {
    private struct Variant: Hashable {
        let format: ExpositionFormat
        let gzip: Bool
    }

    private let families: [MetricFamily]
    private let headers: ResponseHeaders
    private let rendered = Mutex<[Variant: HTTPResponse]>([:])

    init(families: [MetricFamily], headers: ResponseHeaders) {
        self.families = families
        self.headers = headers
    }

    func response(_ format: ExpositionFormat, gzip: Bool) -> HTTPResponse {
        let variant = Variant(format: format, gzip: gzip)
        if let response = rendered.withLock({ $0[variant] }) { return response }
        // Rendered outside the lock, so a request for a prepared variant never waits behind a
        // render; two first requests for the same variant may both render it, and both results
        // are the same.
        let response = render(variant)
        return rendered.withLock { rendered in
            if let first = rendered[variant] { return first }
            rendered[variant] = response
            return response
        }
    }

    private func render(_ variant: Variant) -> HTTPResponse {
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
