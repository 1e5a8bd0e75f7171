import BackupScan
import Exposition
import Foundation
import MicroHTTPD
import Synchronization

/// The responses served until the next collection, prepared once per collection.
public struct Pages: Sendable {
    /// The metrics in one format, plain and gzip-compressed.
    public struct Metrics: Sendable {
        public let plain: HTTPResponse
        public let gzip: HTTPResponse
    }

    public let prometheusText: Metrics
    public let openMetrics: Metrics
    public let landing: HTTPResponse

    /// The text exposition of `state` in `format`.
    public static func exposition(of state: CollectorState, as format: ExpositionFormat = .prometheus) -> String {
        TextFormat.render(ExporterMetrics.families(measurement: state.measurement, status: state.status), as: format)
    }

    /// Renders `state` into responses. The texts are not kept: only the bodies handed to
    /// libmicrohttpd stay in memory until the next collection.
    public init(state: CollectorState, telemetryPath: String, headers: ResponseHeaders) {
        func metrics(_ format: ExpositionFormat) -> Metrics {
            let text = Self.exposition(of: state, as: format)
            let vary = [(name: "Vary", value: "Accept, Accept-Encoding")]
            return Metrics(plain: headers.response(200, contentType: format.contentType, text: text, own: vary),
                           gzip: headers.response(200, contentType: format.contentType, gzipped: Gzip.compress(utf8: text), own: vary))
        }
        prometheusText = metrics(.prometheus)
        openMetrics = metrics(.openMetrics)
        landing = headers.response(200, contentType: "text/html; charset=utf-8",
                                   text: LandingPage.html(state: state, telemetryPath: telemetryPath))
    }

    /// The prepared metrics response for a format and encoding.
    public func metrics(_ format: ExpositionFormat, gzip: Bool) -> HTTPResponse {
        let metrics = format == .openMetrics ? openMetrics : prometheusText
        return gzip ? metrics.gzip : metrics.plain
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
