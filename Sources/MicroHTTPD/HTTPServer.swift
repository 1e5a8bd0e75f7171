import CMicroHTTPD
import Glibc

/// An HTTP server on libmicrohttpd with an internal polling thread pool.
///
/// The handler is called on libmicrohttpd's threads and must not block: it should only pick a
/// prepared ``HTTPResponse``. Related calls: `MHD_start_daemon(3)`, `MHD_stop_daemon(3)`.
public final class HTTPServer: @unchecked Sendable {
    /// Picks the response for a request. Called concurrently from several threads.
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    /// Resource limits passed to libmicrohttpd.
    public struct Limits: Sendable {
        /// Maximum concurrent connections (`MHD_OPTION_CONNECTION_LIMIT`).
        public var connections: Int
        /// Seconds of inactivity after which a connection is closed (`MHD_OPTION_CONNECTION_TIMEOUT`).
        public var connectionTimeoutSeconds: Int
        /// Polling threads (`MHD_OPTION_THREAD_POOL_SIZE`).
        public var threads: Int

        public init(connections: Int = 512, connectionTimeoutSeconds: Int = 30, threads: Int = 2) {
            self.connections = connections
            self.connectionTimeoutSeconds = connectionTimeoutSeconds
            self.threads = threads
        }
    }

    /// HTTPS settings (libmicrohttpd with GnuTLS).
    public struct TLS: Sendable {
        /// PEM certificate chain and private key.
        public var certificatePEM: String
        public var keyPEM: String
        /// PEM CA certificates trusted for client certificates; when set, clients are asked for one.
        public var clientCAPEM: String?
        /// A GnuTLS priority string, e.g. `NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2`.
        public var priorities: String

        public init(certificatePEM: String, keyPEM: String, clientCAPEM: String?, priorities: String) {
            self.certificatePEM = certificatePEM
            self.keyPEM = keyPEM
            self.clientCAPEM = clientCAPEM
            self.priorities = priorities
        }
    }

    let handler: Handler
    private var daemon: OpaquePointer?
    /// NUL-terminated copies of the TLS strings, alive as long as the daemon.
    private var tlsStrings: [UnsafeMutablePointer<CChar>] = []
    /// The port the server listens on.
    public private(set) var port: UInt16 = 0

    /// Starts listening.
    /// - Throws: `HTTPServerError` when the address does not resolve or cannot be bound.
    public init(address: ListenAddress, limits: Limits = Limits(), tls: TLS? = nil,
                handler: @escaping Handler) throws(HTTPServerError) {
        self.handler = handler
        var flags = UInt32(MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_AUTO.rawValue
                           | MHD_USE_ERROR_LOG.rawValue)
        if tls != nil { flags |= UInt32(MHD_USE_TLS.rawValue) }
        var socketAddress = sockaddr_storage()
        let bindsOneAddress = !address.host.isEmpty
        if bindsOneAddress {
            let family = try Self.resolve(address, into: &socketAddress)
            if family == AF_INET6 { flags |= UInt32(MHD_USE_IPv6.rawValue) }
        } else {
            flags |= UInt32(MHD_USE_DUAL_STACK.rawValue)
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        let started: OpaquePointer? = withUnsafeMutablePointer(to: &socketAddress) { addressPointer in
            var options: [MHD_OptionItem] = [
                MHD_OptionItem(option: .CONNECTION_LIMIT, value: limits.connections, ptr_value: nil),
                MHD_OptionItem(option: .CONNECTION_TIMEOUT,
                               value: limits.connectionTimeoutSeconds, ptr_value: nil),
                MHD_OptionItem(option: .THREAD_POOL_SIZE, value: limits.threads, ptr_value: nil),
            ]
            if bindsOneAddress {
                options.append(MHD_OptionItem(option: .SOCK_ADDR, value: 0,
                                              ptr_value: UnsafeMutableRawPointer(addressPointer)))
            }
            if let tls {
                options.append(MHD_OptionItem(option: .HTTPS_MEM_CERT, value: 0, ptr_value: keep(tls.certificatePEM)))
                options.append(MHD_OptionItem(option: .HTTPS_MEM_KEY, value: 0, ptr_value: keep(tls.keyPEM)))
                options.append(MHD_OptionItem(option: .HTTPS_PRIORITIES, value: 0, ptr_value: keep(tls.priorities)))
                if let clientCA = tls.clientCAPEM {
                    options.append(MHD_OptionItem(option: .HTTPS_MEM_TRUST, value: 0, ptr_value: keep(clientCA)))
                }
            }
            options.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))
            return options.withUnsafeMutableBufferPointer { buffer in
                CMicroHTTPD_start(flags, address.port, microHTTPDAccessHandler, context, buffer.baseAddress)
            }
        }
        guard let started else {
            let reason = tls == nil ? String(cString: strerror(errno))
                : "\(String(cString: strerror(errno))), or the TLS certificate, key or settings were refused"
            stop()
            throw HTTPServerError(message: "cannot listen on \(address): \(reason)")
        }
        self.daemon = started
        self.port = CMicroHTTPD_boundPort(started)
    }

    /// Stops accepting connections and waits for the server threads to end. Idempotent.
    public func stop() {
        if let daemon {
            MHD_stop_daemon(daemon)
            self.daemon = nil
        }
        tlsStrings.forEach { free($0) }
        tlsStrings = []
    }

    /// A C copy of `text` that lives until ``stop()``.
    private func keep(_ text: String) -> UnsafeMutableRawPointer {
        let copy = strdup(text)!
        tlsStrings.append(copy)
        return UnsafeMutableRawPointer(copy)
    }

    deinit {
        stop()
    }

    /// Resolves `address` with `getaddrinfo(3)` and returns the address family.
    private static func resolve(_ address: ListenAddress, into storage: inout sockaddr_storage) throws(HTTPServerError) -> Int32 {
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
            target.copyMemory(from: UnsafeRawBufferPointer(start: socketAddress,
                                                           count: Int(first.pointee.ai_addrlen)))
        }
        return first.pointee.ai_family
    }
}

/// The server could not start.
public struct HTTPServerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
