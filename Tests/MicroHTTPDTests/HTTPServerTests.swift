import Foundation
import MicroHTTPD
import Testing
import TestSupport

/// The libmicrohttpd server, started for real on loopback and spoken to with curl.
@Suite struct HTTPServerTests {
    static let body = String(repeating: "cassandra_backup_files 1\n", count: 400)

    private func startServer() throws -> HTTPServer {
        let ok = HTTPResponse(status: 200, contentType: "text/plain; charset=utf-8", text: Self.body)
        let notFound = HTTPResponse(status: 404, contentType: "text/plain", text: "no\n")
        return try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0)) { request in
            .response(request.path == "/ok" ? ok : notFound)
        }
    }

    @Test func servesBodyAndHeaders() throws {
        let server = try startServer()
        defer { server.stop() }
        #expect(server.port != 0)
        let result = try Command.output("curl", ["-s", "-i", "http://127.0.0.1:\(server.port)/ok"])
        #expect(result.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(result.contains("Content-Type: text/plain; charset=utf-8\r\n"))
        #expect(result.contains("Content-Length: \(Self.body.utf8.count)\r\n"))
        #expect(result.hasSuffix("\r\n\r\n" + Self.body))
        let missing = try Command.output("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(server.port)/other"])
        #expect(missing == "404")
    }

    /// A body given as parts is sent joined, across libmicrohttpd's blocks and empty or one-byte
    /// parts, to several clients reading it at once, each at its own pace.
    @Test func partsAreSentJoined() throws {
        let block = 65_536
        let parts = ["", "a", String(repeating: "größe_bytes 1\n", count: 3 * block / 15), "", "b\n",
                     String(repeating: "x", count: block), "z"]
        let joined = parts.joined()
        let response = HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")], utf8Parts: parts)
        let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0)) { _ in .response(response) }
        defer { server.stop() }
        let temp = try TemporaryDirectory("parts")
        defer { temp.remove() }
        let url = "http://127.0.0.1:\(server.port)/"
        let clients = (0..<4).map { index in
            // One of them slowed to 500 kB/s, so that the others move the shared block on meanwhile.
            Thread { _ = try? Command.run("curl", ["-sf", "-o", temp("\(index)")] + (index == 0 ? ["--limit-rate", "500k"] : []) + [url]) }
        }
        clients.forEach { $0.start() }
        while clients.contains(where: { !$0.isFinished }) { usleep(10_000) }
        for index in 0..<4 {
            #expect(FileManager.default.contents(atPath: temp("\(index)")) == Data(joined.utf8), "client \(index)")
        }
        let head = try Command.output("curl", ["-s", "-I", url])
        #expect(head.contains("Content-Length: \(joined.utf8.count)\r\n"))
    }

    @Test func headSendsHeadersWithoutBody() throws {
        let server = try startServer()
        defer { server.stop() }
        let result = try Command.output("curl", ["-s", "-I", "http://127.0.0.1:\(server.port)/ok"])
        #expect(result.contains("Content-Length: \(Self.body.utf8.count)\r\n"))
        #expect(!result.contains("cassandra_backup_files"))
    }

    @Test func keepsConnectionsAlive() throws {
        let server = try startServer()
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/ok"
        let result = try Command.run("curl", ["-s", "-v", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", url, url, url])
        #expect(result.status == 0)
        #expect(result.stderr.components(separatedBy: "Re-using existing connection").count - 1 == 2, "\(result.stderr)")
        #expect(!result.stderr.lowercased().contains("connection: close"))
    }

    @Test func discardsRequestBodies() throws {
        let server = try startServer()
        defer { server.stop() }
        let result = try Command.output("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", String(repeating: "x", count: 100_000),
                                                 "http://127.0.0.1:\(server.port)/ok"])
        #expect(result == "200")
    }

    @Test func portInUseIsAClearError() throws {
        let server = try startServer()
        defer { server.stop() }
        #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: server.port)) { _ in
                .response(HTTPResponse(status: 200, body: []))
            }
        }
    }

    @Test func slowRepliesWaitOffThePollingThreadsAndAFullQueueAnswersBusyAtOnce() throws {
        let gate = DispatchSemaphore(value: 0)
        let ok = HTTPResponse(status: 200, contentType: "text/plain", text: "slow\n")
        let busy = HTTPResponse(status: 503, contentType: "text/plain", text: "busy\n")
        let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), limits: .init(threads: 1, slowWorkQueue: 2)) { request in
            request.path == "/slow" ? .slow(busy: busy) { gate.wait(); return ok } : .response(ok)
        }
        defer { server.stop() }
        let port = Int(server.port)
        let answers = Locked<[Int]>([])
        let waiting = (0..<2).map { _ in
            Thread { let status = HTTPConnection(port: port).get("/slow"); answers.withLock { $0.append(status) } }
        }
        waiting.forEach { $0.start() }
        Thread.sleep(forTimeInterval: 0.5)
        // Both slow requests wait on the slow-work queue; the single polling thread is free.
        #expect(HTTPConnection(port: port).get("/fast") == 200)
        #expect(HTTPConnection(port: port).get("/slow") == 503, "the queue holds two")
        #expect(answers.withLock { $0 }.isEmpty)
        gate.signal()
        gate.signal()
        while waiting.contains(where: { !$0.isFinished }) { usleep(10_000) }
        #expect(answers.withLock { $0 } == [200, 200])
    }

    @Test func stopWaitsForSuspendedRequests() throws {
        let gate = DispatchSemaphore(value: 0)
        let ok = HTTPResponse(status: 200, contentType: "text/plain", text: "slow\n")
        let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0)) { _ in
            .slow(busy: ok) { gate.wait(); return ok }
        }
        let port = Int(server.port)
        let answer = Locked<Int?>(nil)
        let client = Thread { let status = HTTPConnection(port: port).get("/"); answer.withLock { $0 = status } }
        client.start()
        Thread.sleep(forTimeInterval: 0.5)
        let stopped = Locked(false)
        let stopper = Thread { server.stop(); stopped.withLock { $0 = true } }
        stopper.start()
        Thread.sleep(forTimeInterval: 0.3)
        #expect(stopped.withLock { $0 } == false, "stop waits while a request is suspended")
        gate.signal()
        while !stopper.isFinished || !client.isFinished { usleep(10_000) }
        #expect(answer.withLock { $0 } == 200)
    }

    /// The race libmicrohttpd 0.9.75 leaves open: `MHD_resume_connection` reads the daemon after
    /// releasing its lock, so the slow-work thread may still be inside it when the request has
    /// completed. `stop()` drains the queue before the daemon is freed; under AddressSanitizer
    /// (scripts/sanitizers.sh) a use after free here would be reported.
    @Test func stoppingWhileSlowRepliesResumeIsSafe() throws {
        let ok = HTTPResponse(status: 200, contentType: "text/plain", text: "slow\n")
        for _ in 0..<20 {
            let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0)) { _ in .slow(busy: ok) { ok } }
            let port = Int(server.port)
            let clients = (0..<4).map { _ in Thread { _ = HTTPConnection(port: port).get("/") } }
            clients.forEach { $0.start() }
            usleep(2_000)
            server.stop()
            while clients.contains(where: { !$0.isFinished }) { usleep(1_000) }
        }
    }

    /// Counted responses being sent are bounded: slow readers that do not read their (large)
    /// response hold a slot each; past the limit a request gets the busy answer at once, and a
    /// slot frees when its reader goes. Before the limit, 40 slow readers took 290 MB.
    @Test func countedResponsesInFlightAreBounded() throws {
        let big = HTTPResponse(status: 200, body: [UInt8](repeating: 0x61, count: 32 << 20))
        let busy = HTTPResponse(status: 503, contentType: "text/plain", text: "busy\n")
        let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), limits: .init(requestsInFlight: 2)) { request in
            request.path == "/big" ? .counted(big, busy: busy) : .response(busy)
        }
        defer { server.stop() }
        let port = Int(server.port)
        // Two readers that ask and never read: 32 MiB does not fit the socket buffers.
        let readers = (0..<2).compactMap { _ in connectLoopback(port: port) }
        try #require(readers.count == 2)
        defer { close(readers[1]) }
        for reader in readers { _ = "GET /big HTTP/1.1\r\nHost: x\r\n\r\n".withCString { send(reader, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
        Thread.sleep(forTimeInterval: 0.5)
        #expect(HTTPConnection(port: port).get("/big") == 503, "two responses are in flight")
        close(readers[0])
        var status = 0
        for _ in 0..<50 where status != 200 {
            usleep(100_000)
            status = HTTPConnection(port: port).get("/big")
        }
        #expect(status == 200, "the closed reader's slot is free again")
    }

    /// libmicrohttpd's own messages reach the server's log, one line each, marked as start-up
    /// messages when the server could not start; none go to standard error on their own.
    @Test func libmicrohttpdMessagesGoToTheServersLog() {
        let messages = Locked<[(String, Bool)]>([])
        let broken = HTTPServer.TLS(certificatePEM: "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n",
                                    keyPEM: "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n",
                                    clientCAPEM: nil, priorities: "NORMAL")
        #expect(throws: HTTPServerError.self) {
            try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), tls: broken,
                           messageLog: { message, starting in messages.withLock { $0.append((message, starting)) } }) { _ in
                .response(HTTPResponse(status: 200, contentType: "text/plain", text: ""))
            }
        }
        let seen = messages.withLock { $0 }
        #expect(!seen.isEmpty && seen.allSatisfy { $0.1 }, "\(seen)")
        #expect(seen.contains { $0.0.contains("GnuTLS") }, "\(seen)")
        #expect(seen.allSatisfy { !$0.0.contains("\n") && !$0.0.isEmpty }, "\(seen)")
    }

    @Test func unresolvableHostIsAClearError() {
        #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(address: ListenAddress(host: "no-such-host.invalid", port: 0)) { _ in .response(HTTPResponse(status: 200, body: [])) }
        }
    }
}
