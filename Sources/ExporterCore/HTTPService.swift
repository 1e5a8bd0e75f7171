import ServiceLifecycle

/// Keeps a started ``WebServer`` until graceful shutdown, then stops it.
public struct HTTPService: Service {
    let server: WebServer

    public init(server: WebServer) {
        self.server = server
    }

    public func run() async throws {
        try? await gracefulShutdown()
        server.stop()
    }
}
