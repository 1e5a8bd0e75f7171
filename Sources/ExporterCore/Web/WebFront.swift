import Logging
import MicroHTTPD
import Synchronization

/// The exporter's web side, and the one owner of the web configuration in force: it hands the
/// users to ``AccessControl``, the response headers to the ``Router`` and the ``Publisher``'s
/// pages, and the TLS settings to the ``WebServer``.
public final class WebFront: Sendable {
    private let config: Mutex<WebConfig>
    private let access: AccessControl
    private let router: Router
    private let publisher: Publisher
    private let server: WebServer

    /// Starts serving `publisher`'s pages; libmicrohttpd's own messages go to `logger`.
    /// - Throws: ``ConfigFileError`` for unreadable TLS files, `HTTPServerError` when it cannot listen.
    public init(config: WebConfig, listeners: [ListeningSocket], limits: HTTPServer.Limits, telemetryPath: String,
                publisher: Publisher, logger: Logger) throws {
        let headers = ResponseHeaders(config.headers)
        let access = AccessControl(config: config)
        let router = Router(telemetryPath: telemetryPath, store: publisher.store, access: access, headers: headers)
        publisher.apply(headers: headers)
        self.config = Mutex(config)
        self.access = access
        self.router = router
        self.publisher = publisher
        server = try WebServer(listeners: listeners, limits: limits, tls: config.tls, logger: logger) { router.respond(to: $0) }
    }

    /// The ports listened on.
    public var ports: [UInt16] { server.ports }

    /// Uses `config`'s users and headers from now on; its TLS settings take effect with
    /// ``reloadTLS()``. Returns whether anything changed.
    @discardableResult
    public func apply(_ config: WebConfig) -> Bool {
        let changed = self.config.withLock { current in
            guard current != config else { return false }
            current = config
            return true
        }
        guard changed else { return false }
        access.update(config)
        let headers = ResponseHeaders(config.headers)
        router.apply(headers: headers)
        publisher.apply(headers: headers)
        return true
    }

    /// Serves the certificate files of the configuration in force as they are now on disk; see
    /// ``WebServer/reload(tls:)``.
    public func reloadTLS() throws -> WebServer.ReloadOutcome {
        try server.reload(tls: config.withLock { $0.tls })
    }

    /// Stops serving.
    public func stop() {
        server.stop()
    }
}
