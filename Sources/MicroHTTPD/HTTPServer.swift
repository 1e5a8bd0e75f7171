import CMicroHTTPD
import Glibc
import Synchronization

/// What a handler answers.
public enum HTTPReply: Sendable {
    /// A prepared response, sent at once.
    case response(HTTPResponse)
    /// A response that counts against ``HTTPServer/Limits/requestsInFlight`` until it is sent
    /// whole (a slow reader holds its body in memory); beyond the limit `busy` is sent instead.
    case counted(HTTPResponse, busy: HTTPResponse)
    /// Work too slow for libmicrohttpd's polling threads (a bcrypt check): the connection is
    /// suspended, `work` runs on the server's ``SlowWorkQueue`` in the client's turn and its
    /// response is sent when it returns. When the queue (or the client's share) is full, or the
    /// server stops first, `busy` is sent instead.
    case slow(busy: HTTPResponse, work: @Sendable () -> HTTPResponse)
}

/// An HTTP server on libmicrohttpd with an internal polling thread pool.
///
/// The handler is called on libmicrohttpd's threads and must not block: it picks a prepared
/// ``HTTPResponse`` or hands slow work to the server's queue (``HTTPReply/slow(busy:work:)``).
/// Related calls: `MHD_start_daemon(3)`, `MHD_stop_daemon(3)`, `MHD_suspend_connection(3)`.
public final class HTTPServer: Sendable {
    /// Answers a request. Called concurrently from several threads.
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPReply

    /// Receives libmicrohttpd's own messages (`MHD_OPTION_EXTERNAL_LOGGER`), one line each;
    /// `whileStarting` tells a start-up failure from a connection's trouble later on.
    public typealias MessageLog = @Sendable (_ message: String, _ whileStarting: Bool) -> Void

    /// Writes libmicrohttpd's messages to standard error, as the library itself would.
    public static let standardErrorLog: MessageLog = { message, _ in
        let line = Array("libmicrohttpd: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// Resource limits passed to libmicrohttpd.
    public struct Limits: Sendable {
        /// Maximum concurrent connections (`MHD_OPTION_CONNECTION_LIMIT`).
        public var connections: Int
        /// Seconds of inactivity after which a connection is closed (`MHD_OPTION_CONNECTION_TIMEOUT`).
        public var connectionTimeoutSeconds: Int
        /// Polling threads (`MHD_OPTION_THREAD_POOL_SIZE`).
        public var threads: Int
        /// Maximum concurrent connections from one IP address (`MHD_OPTION_PER_IP_CONNECTION_LIMIT`);
        /// 0: no limit.
        public var connectionsPerAddress: Int
        /// Counted responses (``HTTPReply/counted(_:busy:)``) being sent at once; 0: no limit.
        public var requestsInFlight: Int
        /// Slow jobs that may wait for the slow-work thread before requests get the busy answer.
        public var slowWorkQueue: Int
        /// Slow jobs that may wait per client (``HTTPRequest/clientKey``).
        public var slowWorkPerClient: Int

        public init(connections: Int = 512, connectionTimeoutSeconds: Int = 30, threads: Int = 2, connectionsPerAddress: Int = 0,
                    requestsInFlight: Int = 0, slowWorkQueue: Int = 32, slowWorkPerClient: Int = 2) {
            self.connections = connections
            self.connectionTimeoutSeconds = connectionTimeoutSeconds
            self.threads = threads
            self.connectionsPerAddress = connectionsPerAddress
            self.requestsInFlight = requestsInFlight
            self.slowWorkQueue = slowWorkQueue
            self.slowWorkPerClient = slowWorkPerClient
        }
    }

    /// HTTPS settings (libmicrohttpd with GnuTLS): the PEM texts themselves, so a server can be
    /// restarted from memory whatever happened to the files since.
    public struct TLS: Sendable, Equatable {
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

    /// A started daemon and the C strings it reads until it stops. Unchecked because C handles
    /// are not `Sendable`: it is only ever moved, under ``daemon``'s lock, to the one thread that
    /// stops it.
    private struct Daemon: @unchecked Sendable {
        let handle: OpaquePointer
        /// The duplicate of the listening socket this daemon accepts on.
        let descriptor: Int32
        let strings: [UnsafeMutablePointer<CChar>]
        /// The log callback's closure, read by libmicrohttpd until it stops.
        let logger: UnsafeMutablePointer<CMicroHTTPD_Logger>
    }

    /// Requests suspended and not yet completed, and whether the server is stopping:
    /// libmicrohttpd must not be stopped while a connection is suspended, and none may be
    /// suspended once it is stopping: twice the suspended connections, plus 1 once stopping. One
    /// atomic rather than a `Mutex`: ThreadSanitizer sees atomics, not the futex under `Mutex`
    /// (it reported the worker threads' updates as races once they were not otherwise ordered).
    private let suspensions = Atomic<Int>(0)

    /// Counted responses queued and not yet completed.
    private let inFlight = Atomic<Int>(0)
    /// ``Limits/requestsInFlight``.
    let requestsInFlight: Int

    let handler: Handler
    let messageLog: MessageLog
    let slowWork: SlowWorkQueue
    /// Set once libmicrohttpd has started: later messages are about connections.
    let started = Atomic<Bool>(false)
    private let listener: ListeningSocket
    private let daemon = Mutex<Daemon?>(nil)

    /// The port the server listens on.
    public var port: UInt16 { listener.port }

    /// Starts listening on `address`.
    /// - Throws: `HTTPServerError` when the address does not resolve or cannot be bound, or
    ///   libmicrohttpd refuses the TLS settings.
    public convenience init(address: ListenAddress, limits: Limits = Limits(), tls: TLS? = nil,
                            messageLog: @escaping MessageLog = standardErrorLog,
                            handler: @escaping Handler) throws(HTTPServerError) {
        try self.init(listener: ListeningSocket(address: address), limits: limits, tls: tls, messageLog: messageLog, handler: handler)
    }

    /// Starts serving on an already listening socket, which may be shared with a server that is
    /// about to stop.
    /// - Parameter messageLog: receives libmicrohttpd's own messages.
    public init(listener: ListeningSocket, limits: Limits = Limits(), tls: TLS? = nil,
                messageLog: @escaping MessageLog = standardErrorLog,
                handler: @escaping Handler) throws(HTTPServerError) {
        self.handler = handler
        self.messageLog = messageLog
        self.listener = listener
        slowWork = SlowWorkQueue(limit: limits.slowWorkQueue, perKey: limits.slowWorkPerClient)
        requestsInFlight = limits.requestsInFlight
        // poll(2), not epoll: libmicrohttpd 0.9.75's MHD_quiesce_daemon removes the listening
        // socket from each worker's epoll set while the worker may already have removed it, and
        // aborts the process when it finds it gone (daemon.c, "Failed to remove listen FD from
        // epoll set"; the worker's own path tolerates ENOENT, quiesce's does not). Seen once in a
        // test run stopping a server. With poll, quiescing only signals each worker's ITC.
        var flags = UInt32(MHD_USE_POLL_INTERNAL_THREAD.rawValue | MHD_USE_ITC.rawValue
                           | MHD_USE_ERROR_LOG.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue)
        if tls != nil { flags |= UInt32(MHD_USE_TLS.rawValue) }
        var strings: [UnsafeMutablePointer<CChar>] = []
        func keep(_ text: String) -> UnsafeMutableRawPointer {
            strings.append(strdup(text)!)
            return UnsafeMutableRawPointer(strings.last!)
        }
        // A descriptor of its own on the shared socket: libmicrohttpd closes it when it stops, and
        // also when it fails to start (a refused certificate), which must not close the socket.
        let descriptor = dup(listener.descriptor)
        guard descriptor >= 0 else {
            throw HTTPServerError(message: "cannot serve on port \(listener.port): \(String(cString: strerror(errno)))")
        }
        var options: [MHD_OptionItem] = [
            MHD_OptionItem(option: .LISTEN_SOCKET, value: Int(descriptor), ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_LIMIT, value: limits.connections, ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_TIMEOUT, value: limits.connectionTimeoutSeconds, ptr_value: nil),
            MHD_OptionItem(option: .THREAD_POOL_SIZE, value: limits.threads, ptr_value: nil),
        ]
        if limits.connectionsPerAddress > 0 {
            options.append(MHD_OptionItem(option: .PER_IP_CONNECTION_LIMIT, value: limits.connectionsPerAddress, ptr_value: nil))
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
        let context = Unmanaged.passUnretained(self).toOpaque()
        let logger = UnsafeMutablePointer<CMicroHTTPD_Logger>.allocate(capacity: 1)
        logger.initialize(to: CMicroHTTPD_Logger(function: microHTTPDLogLine, context: context))
        let handle = options.withUnsafeMutableBufferPointer { buffer in
            CMicroHTTPD_start(flags, microHTTPDAccessHandler, context, microHTTPDRequestCompleted, logger, buffer.baseAddress)
        }
        guard let handle else {
            strings.forEach { free($0) }
            logger.deallocate()
            throw HTTPServerError(message: "cannot serve on port \(listener.port): libmicrohttpd refused to start"
                                  + (tls == nil ? "" : "; the TLS certificate, key or settings were refused"))
        }
        started.store(true, ordering: .releasing)
        daemon.withLock { $0 = Daemon(handle: handle, descriptor: descriptor, strings: strings, logger: logger) }
    }

    /// Answers the requests still waiting for slow work with their busy response (the one slow
    /// job running finishes first), then closes this server's connections and waits for its
    /// threads to end. The listening socket stays open for other servers. Idempotent; callable
    /// from any thread.
    public func stop() {
        guard let stopped = daemon.withLock({ $0.take() }) else { return }
        suspensions.bitwiseOr(1, ordering: .acquiringAndReleasing)
        // The slow-work thread may be inside MHD_resume_connection, which in 0.9.75 reads the
        // daemon after releasing its lock: stop() returns only after it has.
        slowWork.stop()
        // libmicrohttpd panics when stopped with a suspended connection: each resumed one is
        // answered and completes first.
        while suspensions.load(ordering: .acquiring) > 1 { usleep(1_000) }
        // Quiesced first: a daemon stopped while listening shuts the socket down, which would
        // end listening for every descriptor of it, the next server's too.
        _ = MHD_quiesce_daemon(stopped.handle)
        MHD_stop_daemon(stopped.handle)
        close(stopped.descriptor)
        stopped.strings.forEach { free($0) }
        stopped.logger.deallocate()
    }

    deinit {
        stop()
    }

    /// Counts a connection about to be suspended; false once the server is stopping.
    func beginSuspension() -> Bool {
        var current = suspensions.load(ordering: .relaxed)
        while current & 1 == 0 {
            let (exchanged, original) = suspensions.compareExchange(expected: current, desired: current + 2, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// A request that was suspended has completed.
    func endSuspension() {
        suspensions.wrappingSubtract(2, ordering: .acquiringAndReleasing)
    }

    /// Counts a counted response about to be queued; false when ``Limits/requestsInFlight`` are
    /// being sent already.
    func beginCountedRequest() -> Bool {
        guard requestsInFlight > 0 else { return true }
        var current = inFlight.load(ordering: .relaxed)
        while current < requestsInFlight {
            let (exchanged, original) = inFlight.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// A counted response has been sent, or its connection closed.
    func endCountedRequest() {
        if requestsInFlight > 0 { inFlight.subtract(1, ordering: .acquiringAndReleasing) }
    }
}

/// The server could not start.
public struct HTTPServerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
