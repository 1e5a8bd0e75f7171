import MicroHTTPD
import ServiceLifecycle

/// Keeps a started ``HTTPServer`` until graceful shutdown, then stops it.
public struct HTTPService: Service {
    let server: HTTPServer

    public init(server: HTTPServer) {
        self.server = server
    }

    public func run() async throws {
        try? await gracefulShutdown()
        server.stop()
    }
}
