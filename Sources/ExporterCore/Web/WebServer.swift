import FoundationEssentials
import Logging
import MicroHTTPD
import Synchronization

/// The HTTP(S) server as the web configuration says. libmicrohttpd reads certificates only at
/// start, so new TLS settings, or certificate files rotated in place, start a new server on the
/// same listening socket; the old one stops only after the new one serves.
public final class WebServer: Sendable {
    /// What a reload did.
    public enum ReloadOutcome: Equatable, Sendable {
        /// The served settings are current.
        case unchanged
        /// A server with the new settings took over.
        case restarted
    }

    /// Settings libmicrohttpd refused to start with, and its reason.
    private struct Refusal {
        var settings: HTTPServer.TLS?
        var error: HTTPServerError
    }

    private struct Serving {
        /// One server per listening socket.
        var servers: [HTTPServer]
        /// The PEM texts served, kept in memory: the server can go on whatever happens to the files.
        var tls: HTTPServer.TLS?
        /// The last settings refused, so that the same files are not tried again every period.
        var refused: Refusal?
        /// Set by ``WebServer/stop()``: a later reload starts nothing.
        var stopped = false
    }

    private let serving: Mutex<Serving>
    private let listeners: [ListeningSocket]
    private let limits: HTTPServer.Limits
    private let handler: HTTPServer.Handler
    private let messageLog: HTTPServer.MessageLog

    /// Starts serving; libmicrohttpd's own messages go to `logger`, one line each: at error level
    /// when a server fails to start, at warning level for a connection's trouble later on, at most
    /// ``LogRateLimit/burst`` a minute (clients cause those).
    /// - Throws: ``ConfigFileError`` for unreadable TLS files, `HTTPServerError` when it cannot listen.
    /// - Parameter listeners: every socket to serve on (each `--web.listen-address`, or the
    ///   sockets systemd passed), with the same settings.
    public init(listeners: [ListeningSocket], limits: HTTPServer.Limits, tls: WebConfig.TLS?, logger: Logger,
                handler: @escaping HTTPServer.Handler) throws {
        self.limits = limits
        self.handler = handler
        let clientMessages = LogRateLimit()
        messageLog = { message, whileStarting in
            guard !whileStarting else {
                logger.error("libmicrohttpd", metadata: ["message": "\(message)"])
                return
            }
            let (write, suppressed) = clientMessages.admit()
            if suppressed > 0 {
                logger.warning("libmicrohttpd messages suppressed", metadata: ["count": "\(suppressed)",
                                                                               "window": "\(clientMessages.window)"])
            }
            if write { logger.warning("libmicrohttpd", metadata: ["message": "\(message)"]) }
        }
        self.listeners = listeners
        let settings = try tls.map(Self.read)
        serving = Mutex(Serving(servers: try Self.start(on: listeners, limits: limits, tls: settings, messageLog: messageLog,
                                                       handler: handler),
                                tls: settings))
    }

    /// The ports listened on, in the order of the listeners.
    public var ports: [UInt16] { listeners.map(\.port) }

    /// One server per listener; when one cannot start, those already started are stopped.
    private static func start(on listeners: [ListeningSocket], limits: HTTPServer.Limits, tls: HTTPServer.TLS?,
                              messageLog: @escaping HTTPServer.MessageLog,
                              handler: @escaping HTTPServer.Handler) throws(HTTPServerError) -> [HTTPServer] {
        var servers: [HTTPServer] = []
        do throws(HTTPServerError) {
            for listener in listeners {
                servers.append(try HTTPServer(listener: listener, limits: limits, tls: tls, messageLog: messageLog, handler: handler))
            }
        } catch {
            servers.forEach { $0.stop() }
            throw error
        }
        return servers
    }

    /// Serves with the certificate and key that `tls` names, as the files read now: a new
    /// server takes over when the settings or the files' contents differ from those served.
    /// - Throws: the reason when the files cannot be read or the new server does not start, at
    ///   every call while that lasts; the running server goes on. Settings refused once are not
    ///   tried again until they change.
    public func reload(tls: WebConfig.TLS?) throws -> ReloadOutcome {
        let settings = try tls.map(Self.read)
        return try serving.withLock { serving throws(HTTPServerError) in
            if settings == serving.tls || serving.stopped {
                serving.refused = nil
                return .unchanged
            }
            if let refused = serving.refused, refused.settings == settings { throw refused.error }
            do throws(HTTPServerError) {
                let replacements = try Self.start(on: listeners, limits: limits, tls: settings, messageLog: messageLog, handler: handler)
                serving.servers.forEach { $0.stop() }
                serving = Serving(servers: replacements, tls: settings)
                return .restarted
            } catch {
                serving.refused = Refusal(settings: settings, error: error)
                throw error
            }
        }
    }

    /// Stops serving, and stops listening at once: connections waiting to be accepted are reset.
    public func stop() {
        serving.withLock { serving in
            serving.stopped = true
            listeners.forEach { $0.stopListening() }
            serving.servers.forEach { $0.stop() }
        }
    }

    /// Reads the PEM files named by `tls`, as every configuration file is read.
    private static func read(_ tls: WebConfig.TLS) throws(ConfigFileError) -> HTTPServer.TLS {
        func read(_ path: String) throws(ConfigFileError) -> String { try ConfigFile.text(of: path, .web) }
        return HTTPServer.TLS(certificatePEM: try read(tls.certFile), keyPEM: try read(tls.keyFile),
                              clientCAPEM: try tls.clientCAFile.map(read), priorities: tls.priorities)
    }
}
