import Foundation

/// A TCP connection to 127.0.0.1:`port` from the loopback address `source`, or nil when refused.
/// Clients on other loopback addresses (127.0.0.2, ...) count as other hosts for the
/// per-address connection limit and the fair password-check queue.
public func connectLoopback(port: Int, from source: String = "127.0.0.1") -> Int32? {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return nil }
    var local = sockaddr_in()
    local.sin_family = sa_family_t(AF_INET)
    local.sin_addr.s_addr = inet_addr(source)
    let bound = withUnsafePointer(to: &local) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { close(descriptor); return nil }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { close(descriptor); return nil }
    return descriptor
}

/// A plain HTTP/1.1 client on one kept-alive connection, as a scraper holds it: written on
/// sockets so that a test can run many at once from threads and time each request.
public final class HTTPConnection {
    private var descriptor: Int32?
    private let port: Int
    private let source: String

    /// - Parameter source: the loopback address to connect from.
    public init(port: Int, from source: String = "127.0.0.1") {
        self.port = port
        self.source = source
    }

    deinit {
        if let descriptor { close(descriptor) }
    }

    /// Sends `GET path` and reads the whole response; returns its status code, or 0 when the
    /// connection failed. Reconnects when the server closed the connection.
    public func get(_ path: String, headers: [String: String] = [:]) -> Int {
        if descriptor == nil {
            descriptor = connectLoopback(port: port, from: source)
            guard let descriptor else { return 0 }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        guard let descriptor else { return 0 }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let sent = request.withCString { send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        guard sent == request.utf8.count, let (status, keepAlive) = readResponse(descriptor) else {
            reset()
            return 0
        }
        if !keepAlive { reset() }
        return status
    }

    private func reset() {
        if let descriptor { close(descriptor) }
        descriptor = nil
    }

    /// Status and whether the connection stays open, after reading headers and body.
    private func readResponse(_ descriptor: Int32) -> (Int, Bool)? {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        func fill() -> Bool {
            let count = recv(descriptor, &chunk, chunk.count, 0)
            guard count > 0 else { return false }
            received.append(contentsOf: chunk[..<count])
            return true
        }
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            guard fill() else { return nil }
            headerEnd = received.indices.dropLast(3).first { Array(received[$0..<$0 + 4]) == separator }
        }
        let head = String(decoding: received[..<headerEnd!], as: UTF8.self).lowercased()
        let lines = head.components(separatedBy: "\r\n")
        guard let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        let length = lines.first { $0.hasPrefix("content-length:") }.flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
        while received.count < headerEnd! + 4 + length {
            guard fill() else { return nil }
        }
        return (status, !lines.contains("connection: close"))
    }
}
