import FoundationEssentials
import MicroHTTPD
import Synchronization

/// The HTTP(S) server as the web configuration says. libmicrohttpd reads certificates only at
/// start, so new TLS settings, or certificate files rotated in place, start a new server on the
/// same listening socket; the old one stops only after the new one serves.
public final class WebServer: Sendable {
    /// What a reload did.
    public enum ReloadOutcome: Equatable, Sendable {
        /// The served settings are current, or the same failure as last time was met again.
        case unchanged
        /// A server with the new settings took over.
        case restarted
    }

    /// A TLS setup that was tried, as read from the files.
    private enum Attempt: Equatable {
        case settings(HTTPServer.TLS?)
        case unreadable(String)
    }

    private struct Serving {
        var server: HTTPServer
        /// The PEM texts served, kept in memory: the server can go on whatever happens to the files.
        var tls: HTTPServer.TLS?
        /// The last attempt that failed, so that the same failure is reported once.
        var failed: Attempt?
    }

    private let serving: Mutex<Serving>
    private let listener: ListeningSocket
    private let limits: HTTPServer.Limits
    private let handler: HTTPServer.Handler

    /// Starts serving.
    /// - Throws: ``ConfigFileError`` for unreadable TLS files, `HTTPServerError` when it cannot listen.
    public init(address: ListenAddress, limits: HTTPServer.Limits, tls: WebConfig.TLS?,
                handler: @escaping HTTPServer.Handler) throws {
        self.limits = limits
        self.handler = handler
        listener = try ListeningSocket(address: address)
        let settings = try tls.map(Self.read)
        serving = Mutex(Serving(server: try HTTPServer(listener: listener, limits: limits, tls: settings, handler: handler),
                                tls: settings))
    }

    /// The port listened on.
    public var port: UInt16 { listener.port }

    /// Serves with the certificate and key that `tls` names, as the files read now: a new
    /// server takes over when the settings or the files' contents differ from those served.
    /// - Throws: the reason when the files cannot be read or the new server does not start; the
    ///   running server goes on. The same failure again is not thrown a second time.
    public func reload(tls: WebConfig.TLS?) throws -> ReloadOutcome {
        try serving.withLock { serving in
            let attempt: Attempt
            let settings: HTTPServer.TLS?
            do {
                settings = try tls.map(Self.read)
                attempt = .settings(settings)
            } catch {
                guard serving.failed != .unreadable("\(error)") else { return .unchanged }
                serving.failed = .unreadable("\(error)")
                throw error
            }
            if settings == serving.tls {
                serving.failed = nil
                return .unchanged
            }
            guard attempt != serving.failed else { return .unchanged }
            do {
                let replacement = try HTTPServer(listener: listener, limits: limits, tls: settings, handler: handler)
                serving.server.stop()
                serving = Serving(server: replacement, tls: settings)
                return .restarted
            } catch {
                serving.failed = attempt
                throw error
            }
        }
    }

    /// Stops serving.
    public func stop() {
        serving.withLock { $0.server.stop() }
    }

    /// Reads the PEM files named by `tls`.
    private static func read(_ tls: WebConfig.TLS) throws(ConfigFileError) -> HTTPServer.TLS {
        func read(_ path: String) throws(ConfigFileError) -> String {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ConfigFileError(.web, path: path, reason: "cannot read this TLS file")
            }
            return text
        }
        return HTTPServer.TLS(certificatePEM: try read(tls.certFile), keyPEM: try read(tls.keyFile),
                              clientCAPEM: try tls.clientCAFile.map(read), priorities: tls.priorities)
    }
}
