import ServiceLifecycle

/// Keeps a started ``WebFront`` serving until graceful shutdown, then stops it.
public struct WebFrontService: Service {
    let front: WebFront

    public init(front: WebFront) {
        self.front = front
    }

    public func run() async throws {
        try? await gracefulShutdown()
        front.stop()
    }
}
