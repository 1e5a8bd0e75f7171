import BackupScan
import Exposition
import Foundation
import MicroHTTPD
import Synchronization

/// The responses served until the next collection, prepared once per collection.
public struct Pages: Sendable {
    public let metrics: HTTPResponse
    public let metricsGzip: HTTPResponse
    public let landing: HTTPResponse
    /// The exposition text, for `--once` and tests.
    public let exposition: String

    /// Renders `state` into responses.
    public init(state: CollectorState, telemetryPath: String) {
        exposition = TextFormat.render(ExporterMetrics.families(measurement: state.measurement, status: state.status))
        let body = Array(exposition.utf8)
        metrics = HTTPResponse(status: 200, headers: [("Content-Type", TextFormat.contentType), ("Vary", "Accept-Encoding")],
                               body: body)
        metricsGzip = HTTPResponse(status: 200, headers: [("Content-Type", TextFormat.contentType),
                                                          ("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")],
                                   body: Gzip.compress(body))
        landing = HTTPResponse(status: 200, contentType: "text/html; charset=utf-8",
                               text: LandingPage.html(state: state, telemetryPath: telemetryPath))
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
