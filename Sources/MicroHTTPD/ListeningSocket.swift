import Glibc

/// A bound, listening TCP socket that outlives the servers using it.
///
/// Owned here rather than by libmicrohttpd so that a server with new TLS settings can start
/// on the same socket before the old one stops (`MHD_OPTION_LISTEN_SOCKET`, each server with a
/// duplicate descriptor): no moment without a listener, and no second bind that could fail.
public final class ListeningSocket: Sendable {
    let descriptor: Int32
    /// The port bound (the system's choice when the address asked for port 0).
    public let port: UInt16

    /// Binds and listens. An empty host listens on every IPv6 and IPv4 address (dual stack).
    /// - Throws: `HTTPServerError` when the address does not resolve or cannot be bound.
    public init(address: ListenAddress, backlog: Int32 = 128) throws(HTTPServerError) {
        var storage = sockaddr_storage()
        let length: socklen_t
        if address.host.isEmpty {
            length = Self.anyAddress(port: address.port, into: &storage)
        } else {
            length = try Self.resolve(address, into: &storage)
        }
        let family = Int32(storage.ss_family)
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Self.failure(address) }
        var yes: Int32 = 1, no: Int32 = 0
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        if family == AF_INET6 && address.host.isEmpty {
            setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &no, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, backlog) == 0 else {
            let error = Self.failure(address)
            close(descriptor)
            throw error
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        self.descriptor = descriptor
        self.port = Self.port(of: actual)
    }

    /// Takes over a socket that is already listening, such as one passed by systemd's socket
    /// activation.
    /// - Throws: `HTTPServerError` when `descriptor` is not a listening stream socket.
    public init(adopting descriptor: Int32) throws(HTTPServerError) {
        var listening: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0, listening != 0 else {
            throw HTTPServerError(message: "descriptor \(descriptor) is not a listening socket")
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        self.descriptor = descriptor
        port = Self.port(of: actual)
    }

    /// The sockets systemd passed to this process (socket activation, `sd_listen_fds(3)`'s
    /// protocol: `LISTEN_PID` names this process, `LISTEN_FDS` counts descriptors from 3). The
    /// variables are removed, so no child process takes them for its own.
    /// - Throws: `HTTPServerError` when none were passed or one is not a listening socket.
    /// Sockets taken from systemd, at most: each is served by its own server and threads, and
    /// a socket unit listens on a handful.
    public static let maximumSystemdSockets: Int32 = 64

    public static func fromSystemd() throws(HTTPServerError) -> [ListeningSocket] {
        defer {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
        }
        guard let pid = getenv("LISTEN_PID").flatMap({ Int32(String(cString: $0)) }), pid == getpid(),
              let text = getenv("LISTEN_FDS").map({ String(cString: $0) }) else {
            throw HTTPServerError(message: "no socket passed by systemd (LISTEN_PID and LISTEN_FDS are not set for this process)")
        }
        guard let count = Int32(text), (1...maximumSystemdSockets).contains(count) else {
            throw HTTPServerError(message: "LISTEN_FDS is not a count of sockets from 1 to \(maximumSystemdSockets)")
        }
        var sockets: [ListeningSocket] = []
        for descriptor in 3..<(3 + count) { sockets.append(try ListeningSocket(adopting: descriptor)) }
        return sockets
    }

    deinit {
        close(descriptor)
    }

    /// Stops accepting connections at once (`shutdown(2)` on a listening socket): connections
    /// still in the kernel's queue are reset and new ones refused, for every descriptor of the
    /// socket. For the end of the process.
    public func stopListening() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    private static func failure(_ address: ListenAddress) -> HTTPServerError {
        HTTPServerError(message: "cannot listen on \(address): \(String(cString: strerror(errno)))")
    }

    /// `[::]:port`, or `0.0.0.0:port` where the kernel has no IPv6.
    private static func anyAddress(port: UInt16, into storage: inout sockaddr_storage) -> socklen_t {
        let probe = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        if probe >= 0 {
            close(probe)
            return withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    address.pointee.sin6_family = sa_family_t(AF_INET6)
                    address.pointee.sin6_port = port.bigEndian
                    address.pointee.sin6_addr = in6addr_any
                    return socklen_t(MemoryLayout<sockaddr_in6>.size)
                }
            }
        }
        return withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                address.pointee.sin_family = sa_family_t(AF_INET)
                address.pointee.sin_port = port.bigEndian
                address.pointee.sin_addr.s_addr = INADDR_ANY
                return socklen_t(MemoryLayout<sockaddr_in>.size)
            }
        }
    }

    /// Resolves `address` with `getaddrinfo(3)` into `storage`; returns the address length.
    private static func resolve(_ address: ListenAddress, into storage: inout sockaddr_storage) throws(HTTPServerError) -> socklen_t {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address.host, String(address.port), &hints, &result)
        guard status == 0, let first = result, let socketAddress = first.pointee.ai_addr else {
            let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
            throw HTTPServerError(message: "cannot resolve listen address \(address): \(reason)")
        }
        defer { freeaddrinfo(result) }
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: socketAddress, count: Int(first.pointee.ai_addrlen)))
        }
        return first.pointee.ai_addrlen
    }

    private static func port(of storage: sockaddr_storage) -> UInt16 {
        // sin_port and sin6_port sit at the same offset, in network byte order.
        withUnsafeBytes(of: storage) { bytes in
            UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: MemoryLayout<sockaddr_in>.offset(of: \.sin_port)!, as: UInt16.self))
        }
    }
}
