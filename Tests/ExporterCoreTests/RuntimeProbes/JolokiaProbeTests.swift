import ExporterCore
import Foundation
import HTTPClient
import MicroHTTPD
import Testing
import TestSupport

/// A local HTTP server (the project's own libmicrohttpd server) answers with the JSON shapes a
/// Jolokia agent returns for `read/org.apache.cassandra.db:type=StorageService/IncrementalBackupsEnabled`.
@Suite struct JolokiaProbeTests {
    private func read(status: UInt32 = 200, body: String, delay: Double = 0, timeout: Duration = .seconds(5),
                      userInfo: String = "", tls: HTTPServer.TLS? = nil, paths: PathLog = PathLog()) async throws -> (RuntimeReading, String, Duration) {
        let response = HTTPResponse(status: status, contentType: "application/json", text: body)
        let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), tls: tls) { request in
            paths.record(request.path, authorization: request.header("Authorization"))
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            return .response(response)
        }
        defer { server.stop() }
        let scheme = tls == nil ? "http" : "https"
        let probe = JolokiaProbe(baseURL: URL(string: "\(scheme)://\(userInfo)127.0.0.1:\(server.port)/jolokia")!, timeout: timeout)
        let started = ContinuousClock.now
        let reading = await probe.read()
        return (reading, paths.last, ContinuousClock.now - started)
    }

    @Test func trueIsEnabledAndTheDocumentedPathIsRead() async throws {
        let (reading, path, _) = try await read(body: #"{"request":{"mbean":"org.apache.cassandra.db:type=StorageService","attribute":"IncrementalBackupsEnabled","type":"read"},"value":true,"timestamp":1700000000,"status":200}"#)
        #expect(reading == .enabled(true))
        #expect(path == "/jolokia/read/org.apache.cassandra.db:type=StorageService/IncrementalBackupsEnabled")
    }

    @Test func falseIsDisabled() async throws {
        #expect(try await read(body: #"{"value":false,"status":200}"#).0 == .enabled(false))
    }

    @Test(arguments: [
        (200, #"{"error_type":"javax.management.InstanceNotFoundException","error":"javax.management.InstanceNotFoundException : org.apache.cassandra.db:type=StorageService","status":404}"#),
        (200, #"{"value":"yes","status":200}"#),
        (200, #"{"value":1,"status":200}"#),
        (200, #"{"status":200}"#),
        (200, "<html>not json</html>"),
        (500, #"{"status":500}"#),
        (403, "Forbidden"),
    ] as [(UInt32, String)])
    func errorsAndOddShapesAreFailures(status: UInt32, body: String) async throws {
        let (reading, _, _) = try await read(status: status, body: body)
        guard case .failed(let reason) = reading else { Issue.record("accepted \(body)"); return }
        #expect(!reason.contains("\n"))
    }

    /// The agent answers `true` after 6 s; the probe gives up after 0.5 s. What proves it did not
    /// wait is libcurl's own timeout error (a wait would have read `true`), not the wall time the
    /// test sees: in the sanitizer runs, with every suite at once on two cores, the test's own
    /// continuation once resumed 6 s late (2.4 s before that).
    @Test func slowAgentTimesOut() async throws {
        let (reading, _, elapsed) = try await read(body: #"{"value":true,"status":200}"#, delay: 6, timeout: .milliseconds(500))
        guard case .failed(let reason) = reading else { Issue.record("expected a timeout, got \(reading)"); return }
        #expect(reason.contains("Timeout was reached"), "\(reason) after \(elapsed)")
    }

    @Test func credentialsInTheURLAreSentAsBasicAuthentication() async throws {
        let paths = PathLog()
        let (reading, _, _) = try await read(body: #"{"value":true,"status":200}"#, userInfo: "monitor:s3cret@", paths: paths)
        #expect(reading == .enabled(true))
        #expect(paths.lastAuthorization == "Basic bW9uaXRvcjpzM2NyZXQ=")  // base64 of monitor:s3cret, by base64(1)
    }

    @Test func aBodyOverTheLimitIsAFailure() async throws {
        let padding = String(repeating: " ", count: 1 << 20)
        let (reading, _, _) = try await read(body: #"{"value":true,"status":200}"# + padding)
        guard case .failed(let reason) = reading else { Issue.record("accepted a body over 1 MiB"); return }
        #expect(reason.contains("longer than"), "\(reason)")
    }

    @Test func anAgentWithAnUntrustedCertificateIsRefusedBeforeTheRequest() async throws {
        let temp = try TemporaryDirectory()
        let made = try Command.run("/bin/sh", ["-c", """
            cd "$1" && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
                -addext subjectAltName=IP:127.0.0.1 -keyout agent.key -out agent.crt 2>/dev/null
            """, "sh", temp.path])
        try #require(made.status == 0, "openssl: \(made.stderr)")
        let tls = HTTPServer.TLS(certificatePEM: try String(contentsOfFile: temp("agent.crt"), encoding: .utf8),
                                 keyPEM: try String(contentsOfFile: temp("agent.key"), encoding: .utf8),
                                 clientCAPEM: nil, priorities: "NORMAL")
        let paths = PathLog()
        let (reading, _, _) = try await read(body: #"{"value":true,"status":200}"#, tls: tls, paths: paths)
        guard case .failed(let reason) = reading else { Issue.record("trusted a self-signed certificate"); return }
        #expect(reason.contains("certificate"), "\(reason)")
        #expect(paths.last == "", "the agent was sent a request")
    }

    @Test func onlyHTTPAndHTTPSAreFetched() async {
        let result = await HTTPGet.fetch("file:///etc/hostname", timeout: .seconds(2))
        guard case .failure = result else { Issue.record("read a local file: \(result)"); return }
    }

    @Test func unreachableAgentIsAFailure() async {
        let reading = await JolokiaProbe(baseURL: URL(string: "http://127.0.0.1:1/jolokia")!, timeout: .seconds(2)).read()
        guard case .failed = reading else { Issue.record("expected a failure, got \(reading)"); return }
    }
}

/// Request paths seen by the stand-in agent.
final class PathLog: @unchecked Sendable {
    private let lock = NSLock()
    private var paths: [String] = []
    private var authorizations: [String?] = []
    func record(_ path: String, authorization: String? = nil) {
        lock.withLock {
            paths.append(path)
            authorizations.append(authorization)
        }
    }
    var last: String { lock.withLock { paths.last ?? "" } }
    var lastAuthorization: String? { lock.withLock { authorizations.last ?? nil } }
}
