import Exposition
import MicroHTTPD
import Synchronization

/// Chooses the response for a request; never touches the disk.
public final class Router: Sendable {
    /// What a request asks for.
    public enum Route: Equatable, Sendable {
        case metrics(ExpositionFormat, gzip: Bool)
        case landing
        case notFound
        case methodNotAllowed
    }

    /// The responses that do not depend on a collection.
    private struct FixedResponses: Sendable {
        let notFound: HTTPResponse
        let methodNotAllowed: HTTPResponse
        let unauthorized: HTTPResponse
        let forbidden: HTTPResponse
        /// 503 when too many password checks wait already (a flood of wrong passwords).
        let busy: HTTPResponse
        /// 503 when `--web.max-requests` responses are being sent already.
        let tooManyRequests: HTTPResponse

        init(headers: ResponseHeaders) {
            func text(_ status: UInt32, _ body: String, _ own: [(name: String, value: String)] = []) -> HTTPResponse {
                headers.response(status, contentType: "text/plain; charset=utf-8", text: body, own: own)
            }
            notFound = text(404, "404 page not found\n")
            methodNotAllowed = text(405, "405 method not allowed\n", [("Allow", "GET, HEAD")])
            unauthorized = text(401, "Unauthorized\n", [("WWW-Authenticate", "Basic realm=\"cassandra-backup-exporter\", charset=\"UTF-8\"")])
            forbidden = text(403, "403 a valid client certificate is required\n")
            busy = text(503, "503 too many password checks waiting; retry\n", [("Retry-After", "1")])
            tooManyRequests = text(503, "503 too many requests in flight; retry\n", [("Retry-After", "1")])
        }
    }

    public let telemetryPath: String
    private let store: PageStore
    private let access: AccessControl
    private let fixed: Mutex<FixedResponses>
    /// The last `Accept` header and its format: a scraper sends the same header every time, and
    /// parsing Prometheus' 130-byte header would otherwise cost more than serving the response.
    private let lastNegotiation = Mutex<(accept: String, format: ExpositionFormat)?>(nil)

    public init(telemetryPath: String, store: PageStore, access: AccessControl = AccessControl(config: WebConfig()),
                headers: ResponseHeaders = ResponseHeaders()) {
        self.telemetryPath = telemetryPath
        self.store = store
        self.access = access
        fixed = Mutex(FixedResponses(headers: headers))
    }

    /// Uses new response headers for the fixed responses.
    func apply(headers: ResponseHeaders) {
        fixed.withLock { $0 = FixedResponses(headers: headers) }
    }

    /// The route for a method, a path and the `Accept` and `Accept-Encoding` headers.
    /// - Parameter negotiate: chooses the format for an `Accept` header.
    public static func route(method: String, path: String, accept: String? = nil, acceptEncoding: String?,
                             telemetryPath: String,
                             negotiate: (String?) -> ExpositionFormat = ContentNegotiation.format(accept:)) -> Route {
        guard path == telemetryPath || path == "/" else { return .notFound }
        guard method == "GET" || method == "HEAD" else { return .methodNotAllowed }
        guard path == telemetryPath else { return .landing }
        return .metrics(negotiate(accept), gzip: ContentNegotiation.acceptsGzip(acceptEncoding))
    }

    /// ``ContentNegotiation/format(accept:)``, remembered for the last header seen.
    private func format(accept: String?) -> ExpositionFormat {
        guard let accept else { return .prometheus }
        if let last = lastNegotiation.withLock({ $0 }), last.accept == accept { return last.format }
        let format = ContentNegotiation.format(accept: accept)
        lastNegotiation.withLock { $0 = (accept, format) }
        return format
    }

    /// The HTTP handler. A password not yet seen under the current configuration is checked
    /// as slow work, off libmicrohttpd's threads.
    public func respond(to request: HTTPRequest) -> HTTPReply {
        let route = Self.route(method: request.method, path: request.path, accept: request.header("Accept"),
                               acceptEncoding: request.header("Accept-Encoding"), telemetryPath: telemetryPath,
                               negotiate: format(accept:))
        let decision = access.decide(authorization: request.header("Authorization"), certificate: request.clientCertificate)
        guard case .verify(let check) = decision else {
            let answer = response(route, decision)
            // The metrics are the large bodies a slow reader keeps in memory: they count against
            // --web.max-requests, as in node_exporter's promhttp handler.
            guard decision == .allow, case .metrics = route else { return .response(answer) }
            return .counted(answer, busy: fixed.withLock { $0.tooManyRequests })
        }
        return .slow(busy: fixed.withLock { $0.busy }) { self.response(route, check.run()) }
    }

    private func response(_ route: Route, _ decision: AccessControl.Decision) -> HTTPResponse {
        switch decision {
        case .allow: break
        case .unauthorized, .verify: return fixed.withLock { $0.unauthorized }
        case .forbidden: return fixed.withLock { $0.forbidden }
        }
        switch route {
        case .metrics(let format, let gzip):
            return store.pages.metrics(format, gzip: gzip)
        case .landing: return store.pages.landing
        case .notFound: return fixed.withLock { $0.notFound }
        case .methodNotAllowed: return fixed.withLock { $0.methodNotAllowed }
        }
    }
}
