import MicroHTTPD

/// Chooses the response for a request; never touches the disk.
public struct Router: Sendable {
    /// What a request asks for.
    public enum Route: Equatable, Sendable {
        case metrics(gzip: Bool)
        case landing
        case notFound
        case methodNotAllowed
    }

    public let telemetryPath: String
    private let store: PageStore
    private let notFound = HTTPResponse(status: 404, contentType: "text/plain; charset=utf-8", text: "404 page not found\n")
    private let methodNotAllowed = HTTPResponse(status: 405, contentType: "text/plain; charset=utf-8",
                                                text: "405 method not allowed\n", headers: [("Allow", "GET, HEAD")])

    public init(telemetryPath: String, store: PageStore) {
        self.telemetryPath = telemetryPath
        self.store = store
    }

    /// The route for a method, a path and an `Accept-Encoding` header.
    public static func route(method: String, path: String, acceptEncoding: String?, telemetryPath: String) -> Route {
        guard path == telemetryPath || path == "/" else { return .notFound }
        guard method == "GET" || method == "HEAD" else { return .methodNotAllowed }
        return path == telemetryPath ? .metrics(gzip: AcceptEncoding.acceptsGzip(acceptEncoding)) : .landing
    }

    /// The HTTP handler.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        switch Self.route(method: request.method, path: request.path,
                          acceptEncoding: request.header("Accept-Encoding"), telemetryPath: telemetryPath) {
        case .metrics(let gzip):
            let pages = store.pages
            return gzip ? pages.metricsGzip : pages.metrics
        case .landing: return store.pages.landing
        case .notFound: return notFound
        case .methodNotAllowed: return methodNotAllowed
        }
    }
}
