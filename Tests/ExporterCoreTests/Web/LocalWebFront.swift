import ExporterCore
import Foundation
import Logging
import MicroHTTPD
import TestSupport

/// A ``WebFront`` serving a ``Publisher`` on a loopback port inside the test process, read with
/// curl: the web side without starting the exporter's binary.
final class LocalWebFront {
    let publisher: Publisher
    let front: WebFront
    let base: String

    init(config: WebConfig = WebConfig(), runtimeConfigured: Bool = false, state: CollectorState = CollectorState(build: .current)) throws {
        publisher = Publisher(initial: state, runtimeConfigured: runtimeConfigured, telemetryPath: "/metrics")
        let listener = try ListeningSocket(address: ListenAddress(host: "127.0.0.1", port: 0))
        front = try WebFront(config: config, listeners: [listener], limits: HTTPServer.Limits(), telemetryPath: "/metrics",
                             publisher: publisher, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        base = "http://127.0.0.1:\(front.ports[0])"
    }

    deinit { front.stop() }

    /// The status line's code, the headers (lower-cased names) and the body of a GET.
    func get(_ path: String, _ curlArguments: [String] = []) throws -> (status: Int, headers: [String: String], body: String) {
        let output = try Command.output("curl", ["-s", "-i"] + curlArguments + [base + path])
        let parts = output.components(separatedBy: "\r\n\r\n")
        let head = parts[0].components(separatedBy: "\r\n")
        let status = Int(head[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, headers, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// The `/metrics` text exposition, parsed.
    func samples() throws -> [ExposedSample] { parseExposition(try get("/metrics").body) }
}
