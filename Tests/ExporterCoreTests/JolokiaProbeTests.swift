import ExporterCore
import Foundation
import MicroHTTPD
import Testing

/// A local HTTP server (the project's own libmicrohttpd server) answers with the JSON shapes a
/// Jolokia agent returns for `read/org.apache.cassandra.db:type=StorageService/IncrementalBackupsEnabled`.
@Suite struct JolokiaProbeTests {
    private func read(status: UInt32 = 200, body: String, delay: Double = 0, timeout: Duration = .seconds(5)) async throws -> (RuntimeReading, String, Duration) {
        let response = HTTPResponse(status: status, contentType: "application/json", text: body)
        let paths = PathLog()
        let server = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0)) { request in
            paths.record(request.path)
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            return .response(response)
        }
        defer { server.stop() }
        let probe = JolokiaProbe(baseURL: URL(string: "http://127.0.0.1:\(server.port)/jolokia")!, timeout: timeout)
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

    @Test func slowAgentTimesOut() async throws {
        // The agent answers after 6 s; the probe gives up after 0.5 s. The bound leaves room for a
        // loaded machine and ThreadSanitizer (2.4 s seen in CI) and still proves it did not wait.
        let (reading, _, elapsed) = try await read(body: #"{"value":true,"status":200}"#, delay: 6, timeout: .milliseconds(500))
        guard case .failed = reading else { Issue.record("expected a timeout, got \(reading)"); return }
        #expect(elapsed < .seconds(4), "took \(elapsed)")
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
    func record(_ path: String) { lock.withLock { paths.append(path) } }
    var last: String { lock.withLock { paths.last ?? "" } }
}
