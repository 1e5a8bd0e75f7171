import Foundation
import Logging
import MicroHTTPD
import Synchronization

/// The HTTP(S) server as the web configuration says; restarted when its TLS settings change
/// (libmicrohttpd reads certificates only at start).
public final class WebServer: Sendable {
    private let current: Mutex<(server: HTTPServer, tls: WebConfig.TLS?)>
    private let address: ListenAddress
    private let limits: HTTPServer.Limits
    private let handler: HTTPServer.Handler

    /// Starts serving.
    /// - Throws: ``WebConfigError`` for unreadable TLS files, `HTTPServerError` when it cannot listen.
    public init(address: ListenAddress, limits: HTTPServer.Limits, tls: WebConfig.TLS?,
                handler: @escaping HTTPServer.Handler) throws {
        self.address = address
        self.limits = limits
        self.handler = handler
        let server = try HTTPServer(address: address, limits: limits, tls: try tls.map(Self.settings), handler: handler)
        current = Mutex((server, tls))
    }

    /// The port listened on.
    public var port: UInt16 { current.withLock { $0.server.port } }

    /// Restarts with `tls` when it differs from the running settings. On failure the previous
    /// settings are started again and the error is thrown.
    public func apply(tls: WebConfig.TLS?) throws {
        try current.withLock { current in
            guard current.tls != tls else { return }
            let settings = try tls.map(Self.settings)
            current.server.stop()
            do {
                current = (try HTTPServer(address: address, limits: limits, tls: settings, handler: handler), tls)
            } catch {
                current = (try HTTPServer(address: address, limits: limits, tls: try current.tls.map(Self.settings), handler: handler),
                           current.tls)
                throw error
            }
        }
    }

    /// Stops serving.
    public func stop() {
        current.withLock { $0.server.stop() }
    }

    /// Reads the PEM files named by `tls`.
    static func settings(_ tls: WebConfig.TLS) throws(WebConfigError) -> HTTPServer.TLS {
        func read(_ path: String) throws(WebConfigError) -> String {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw WebConfigError(path: path, reason: "cannot read this TLS file")
            }
            return text
        }
        return HTTPServer.TLS(certificatePEM: try read(tls.certFile), keyPEM: try read(tls.keyFile),
                              clientCAPEM: try tls.clientCAFile.map(read), priorities: tls.priorities)
    }
}
