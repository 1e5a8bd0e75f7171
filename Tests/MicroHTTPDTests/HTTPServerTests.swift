import Foundation
import MicroHTTPD
import Synchronization
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
        let answers = Mutex<[Int]>([])
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
        let answer = Mutex<Int?>(nil)
        let client = Thread { let status = HTTPConnection(port: port).get("/"); answer.withLock { $0 = status } }
        client.start()
        Thread.sleep(forTimeInterval: 0.5)
        let stopped = Mutex(false)
        let stopper = Thread { server.stop(); stopped.withLock { $0 = true } }
        stopper.start()
        Thread.sleep(forTimeInterval: 0.3)
        #expect(stopped.withLock { $0 } == false, "stop waits while a request is suspended")
        gate.signal()
        while !stopper.isFinished || !client.isFinished { usleep(10_000) }
        #expect(answer.withLock { $0 } == 200)
    }

    @Test func unresolvableHostIsAClearError() {
        #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(address: ListenAddress(host: "no-such-host.invalid", port: 0)) { _ in .response(HTTPResponse(status: 200, body: [])) }
        }
    }
}

@Suite struct ListenAddressTests {
    @Test func parsesThePrometheusForms() throws {
        #expect(try ListenAddress(parsing: ":9989") == ListenAddress(host: "", port: 9989))
        #expect(try ListenAddress(parsing: "127.0.0.1:80") == ListenAddress(host: "127.0.0.1", port: 80))
        #expect(try ListenAddress(parsing: "[::1]:9989") == ListenAddress(host: "::1", port: 9989))
        #expect(try ListenAddress(parsing: "localhost:0") == ListenAddress(host: "localhost", port: 0))
        #expect(ListenAddress(host: "::1", port: 1).description == "[::1]:1")
    }

    @Test(arguments: ["9989", "host:", "host:99999", "::1:80", "host:port", "", "[[]]:0", "[a]b]:1", "a]:1"])
    func rejectsMalformedAddresses(_ text: String) {
        #expect(throws: ListenAddress.ParseError.self) { try ListenAddress(parsing: text) }
    }
}

@Suite struct GzipTests {
    @Test(arguments: [0, 1, 100_000])
    func gzipRoundTripsThroughTheGzipTool(size: Int) throws {
        let temp = try TemporaryDirectory("gzip")
        defer { temp.remove() }
        let input = (0..<size).map { UInt8(truncatingIfNeeded: $0 * 7 % 251) }
        try Data(Gzip.compress(input)).write(to: URL(fileURLWithPath: temp("body.gz")))
        let decoded = try Command.run("/bin/sh", ["-c", "gzip -dc '\(temp("body.gz"))' | od -An -v -tu1"])
        #expect(decoded.status == 0)
        let bytes = decoded.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { UInt8($0)! }
        #expect(bytes == input)
    }
}
