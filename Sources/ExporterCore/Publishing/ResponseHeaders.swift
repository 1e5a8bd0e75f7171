import MicroHTTPD

/// The one place a response gets its headers: its own first (content type, encoding), then the
/// `http_server_config.headers` of the web configuration in force.
public struct ResponseHeaders: Sendable, Equatable {
    /// `http_server_config.headers`.
    public let configured: [WebConfig.Header]

    public init(_ configured: [WebConfig.Header] = []) {
        self.configured = configured
    }

    /// A prepared response with a UTF-8 text body.
    func response(_ status: UInt32, contentType: String, text: String,
                  own: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: all(contentType: contentType, own: own), utf8: text)
    }

    /// A prepared response whose body is the UTF-8 of `parts`, joined, sent from the strings
    /// themselves (for large texts kept anyway: the metrics).
    func response(_ status: UInt32, contentType: String, textParts parts: [String],
                  own: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: all(contentType: contentType, own: own), utf8Parts: parts)
    }

    /// A prepared response whose body is gzip-compressed (`Content-Encoding: gzip`).
    func response(_ status: UInt32, contentType: String, gzipped body: [UInt8],
                  own: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: all(contentType: contentType, own: own + [("Content-Encoding", "gzip")]), body: body)
    }

    private func all(contentType: String, own: [(name: String, value: String)]) -> [(name: String, value: String)] {
        [("Content-Type", contentType)] + own + configured.map { ($0.name, $0.value) }
    }
}
