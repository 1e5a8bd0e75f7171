import Foundation

/// A real Prometheus (Debian's `prometheus`) on a free loopback port: the one way tests start it.
public struct PrometheusServer {
    public let process: RunningProcess
    /// Its base URL, `http://127.0.0.1:<port>`.
    public let url: String

    /// Writes `config` as `prometheus.yml` in `directory`, starts Prometheus with its TSDB there
    /// (through `launch`, so a caller's process group can own it) and waits until it is ready.
    public init(config: String, in directory: TemporaryDirectory, logLevel: String = "warn",
                launch: (String, [String]) throws -> RunningProcess = { try RunningProcess($0, $1) }) throws {
        try config.write(toFile: directory("prometheus.yml"), atomically: true, encoding: .utf8)
        let port = try freeLoopbackPort()
        url = "http://127.0.0.1:\(port)"
        process = try launch(try Command.which("prometheus"), [
            "--config.file=\(directory("prometheus.yml"))", "--storage.tsdb.path=\(directory("tsdb"))",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=\(logLevel)",
        ])
        try process.waitUntilReady(url + "/-/ready")
    }

    /// An instant query through the HTTP API: the result vector (a scalar as one element with
    /// its `value`).
    public func query(_ expression: String) throws -> [[String: Any]] {
        let output = try Command.output("curl", ["-s", "--get", "--data-urlencode", "query=\(expression)", url + "/api/v1/query"])
        guard let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
              object["status"] as? String == "success", let data = object["data"] as? [String: Any] else {
            throw CommandError(message: "query failed: \(expression): \(output)")
        }
        if data["resultType"] as? String == "scalar" { return [["value": data["result"] ?? 0]] }
        return data["result"] as? [[String: Any]] ?? []
    }

    /// The first result's value, or `nil` when the result is empty.
    public func value(_ expression: String) throws -> Double? {
        (try query(expression).first?["value"] as? [Any])?.last.flatMap { $0 as? String }.flatMap(Double.init)
    }

    /// Stops it.
    public func stop() { process.stop() }
}
