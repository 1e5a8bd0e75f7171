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

    /// The Prometheus text exposition of `state`.
    public static func exposition(of state: CollectorState) -> String {
        TextFormat.render(ExporterMetrics.families(measurement: state.measurement, status: state.status))
    }

    /// Renders `state` into responses. The text is not kept: only the two bodies handed to
    /// libmicrohttpd stay in memory until the next collection.
    /// - Parameter headers: extra response headers (`http_server_config.headers`).
    public init(state: CollectorState, telemetryPath: String, headers: [(name: String, value: String)] = []) {
        var text = Self.exposition(of: state)
        let (plain, gzip) = text.withUTF8 { bytes in
            (HTTPResponse(status: 200, headers: [("Content-Type", TextFormat.contentType), ("Vary", "Accept-Encoding")] + headers,
                          body: UnsafeRawBufferPointer(bytes)),
             HTTPResponse(status: 200, headers: [("Content-Type", TextFormat.contentType),
                                                 ("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")] + headers,
                          body: Gzip.compress(UnsafeRawBufferPointer(bytes))))
        }
        metrics = plain
        metricsGzip = gzip
        landing = HTTPResponse(status: 200, contentType: "text/html; charset=utf-8",
                               text: LandingPage.html(state: state, telemetryPath: telemetryPath), headers: headers)
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
