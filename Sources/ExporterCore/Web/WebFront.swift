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

    /// What a reload changed.
    public struct ReloadOutcome: Equatable, Sendable {
        /// Users or headers changed.
        public var settingsChanged: Bool
        /// A server with new TLS settings or rotated certificate files took over.
        public var tlsRestarted: Bool
    }

    /// TLS was on at start and the file turns it off, or the other way round: as exporter-toolkit,
    /// which fixes the mode when it starts serving, that needs a restart.
    public struct TLSModeChange: Error, CustomStringConvertible {
        public let enabled: Bool
        public var description: String {
            "the web config turns TLS \(enabled ? "on" : "off"); that takes a restart, the last good settings stay in force"
        }
    }

    /// Puts all of `config` in force, or none of it: the certificate files it names are read and a
    /// server started with them before its users, headers and client-certificate rule apply, so a
    /// certificate not written yet or a missing client CA leaves the settings in force as they were.
    /// The certificate files are read on every call, so a certificate rotated in place is served.
    /// - Throws: ``TLSModeChange``, ``ConfigFileError`` for an unreadable certificate file, or
    ///   `HTTPServerError` when libmicrohttpd refuses the TLS settings.
    public func reload(_ config: WebConfig) throws -> ReloadOutcome {
        let current = self.config.withLock { $0 }
        guard (config.tls == nil) == (current.tls == nil) else { throw TLSModeChange(enabled: config.tls != nil) }
        let restarted = try server.reload(tls: config.tls) == .restarted
        guard current != config else { return ReloadOutcome(settingsChanged: false, tlsRestarted: restarted) }
        self.config.withLock { $0 = config }
        access.update(config)
        let headers = ResponseHeaders(config.headers)
        router.apply(headers: headers)
        publisher.apply(headers: headers)
        return ReloadOutcome(settingsChanged: true, tlsRestarted: restarted)
    }

    /// Stops serving.
    public func stop() {
        server.stop()
    }
}
