import Foundation
import MicroHTTPD
import Synchronization
import Testing
import TestSupport

/// Every kind of outside input the exporter reads, broken, with a unique secret planted in it:
/// the secret must appear neither in start-up errors nor in any log line (debug level, both log
/// formats). Errors name the file, the line and column and the problem, never the content.
@Suite struct SecretsStayOutOfLogsTests {
    static let exporter = BuiltProducts.path("cassandra-backup-exporter")
    static let secret = "s3cr3t-\(UInt64.random(in: 1...UInt64.max))"
    private var secret: String { Self.secret }

    /// Broken cassandra.yaml files, each with the secret where an operator would have one.
    static let brokenCassandraYaml = [
        "keystore_password: \(secret)\nincremental_backups: \(secret)\n",
        "incremental_backups: true\ntruststore_password: \(secret)\ndata_file_directories: \(secret)\n",
        "jmx_password: \"\(secret)\nincremental_backups: true\n",  // unclosed quote
        "incremental_backups: [\(secret)]\n",
        "incremental_backups: !!int \(secret)\n",
        "data_file_directories:\n  - {\(secret): x}\n",
        "local_system_data_file_directory: [\(secret)]\n",
        "a: \(secret)\n---\nb: \(secret)\n",
        "keystore_password: \(secret)\n\tincremental_backups: true\n",  // a tab where YAML wants spaces
    ]

    /// Broken web configs: bcrypt hashes, key paths and user names are what they hold.
    static let brokenWebConfigs = [
        "basic_auth_users:\n  alice: \(secret)\n",
        "basic_auth_users:\n  alice: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n  alice: \(secret)\n",
        "basic_auth_users:\n  \(secret): $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n  \(secret): x\n",
        "tls_server_config:\n  cert_file: /etc/\(secret).crt\n",
        "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: \(secret)\n",
        "tls_server_config:\n  \(secret): a\n",
        "\(secret): x\n",
        "http_server_config:\n  headers:\n    X-\(secret): x\n",
        "basic_auth_users: {alice: \"\(secret)\n",
    ]

    private func run(_ arguments: [String]) throws -> Command.Output {
        try Command.run(Self.exporter, arguments + ["--log.level", "debug"], environment: ["PATH": "/usr/bin:/bin"])
    }

    private func expectNoSecret(_ output: Command.Output, _ what: String) {
        #expect(!output.stderr.contains(secret) && !output.stdout.contains(secret), "\(what) leaked: \(output.stderr)")
    }

    /// Writes `text` as `file`, starts `--once` with `flag` pointing at it, and checks that start-up
    /// fails with an error naming the file (`kind` is the error's first words) and no secret.
    private func startUpFails(with text: String, as file: String, flag: String, kind: String) throws -> Command.Output {
        let temp = try TemporaryDirectory("secrets")
        defer { temp.remove() }
        try FileManager.default.createDirectory(atPath: temp("data"), withIntermediateDirectories: true)
        try text.write(toFile: temp(file), atomically: true, encoding: .utf8)
        let result = try run(["--once", flag, temp(file), "--cassandra.data-dir", temp("data")])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("cassandra-backup-exporter: \(kind) \(temp(file)): "), "\(result.stderr)")
        expectNoSecret(result, kind)
        return result
    }

    @Test(arguments: brokenCassandraYaml)
    func brokenCassandraYamlAtStartUp(text: String) throws {
        let result = try startUpFails(with: text, as: "cassandra.yaml", flag: "--cassandra.config", kind: "cassandra config")
        #expect(result.stderr.filter(\.isNewline).count == 1, "\(result.stderr)")
    }

    @Test(arguments: brokenWebConfigs)
    func brokenWebConfigAtStartUp(text: String) throws {
        _ = try startUpFails(with: text, as: "web.yml", flag: "--web.config.file", kind: "web config")
    }

    /// A manifest.json that is not JSON, and one whose `created_at` is no instant.
    @Test(arguments: ["{\"files\": [\"\(secret)\"", "{\"created_at\": \"\(secret)\"}", "\(secret)"])
    func brokenManifest(json: String) throws {
        let temp = try TemporaryDirectory("secrets")
        defer { temp.remove() }
        let snapshot = "data/ks/t-0123456789abcdef0123456789abcdef/snapshots/weekly"
        try FixtureBuilder(root: temp.path).file("\(snapshot)/nb-1-big-Data.db", size: 10)
        try json.write(toFile: temp("\(snapshot)/manifest.json"), atomically: true, encoding: .utf8)
        for format in ["logfmt", "json"] {
            let result = try run(["--once", "--collector.snapshot-detail", "--cassandra.data-dir", temp("data"), "--log.format", format])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(parseExposition(result.stdout).value("cassandra_backup_snapshot_files", ["snapshot": "weekly"]) == 2)  // the SSTable and manifest.json
            expectNoSecret(result, "manifest.json")
        }
    }

    /// A stand-in nodetool that fails or prints garbage holding the secret (nodetool echoes its
    /// connection options, and a JMX password may be among them).
    @Test(arguments: ["echo 'Picked up \(secret)'", "echo 'error: \(secret)' >&2; exit 1",
                      "echo 'nodetool: Failed to connect - ConnectException: \(secret)' >&2; exit 2", "printf '\(secret)'"])
    func brokenNodetoolOutput(script: String) throws {
        let temp = try TemporaryDirectory("secrets")
        defer { temp.remove() }
        try FileManager.default.createDirectory(atPath: temp("data"), withIntermediateDirectories: true)
        try StandInNodetool.write(script, to: temp("nodetool"))
        let result = try run(["--once", "--cassandra.data-dir", temp("data"), "--nodetool.path", temp("nodetool"),
                              "--nodetool.args", "-u monitor -pw \(secret)"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("runtime backup-state probe failed"), "\(result.stderr)")
        #expect(parseExposition(result.stdout).value("cassandra_backup_state_probe_success", ["source": "runtime"]) == 0)
        expectNoSecret(result, "nodetool output")
    }

    /// A Jolokia agent (the project's libmicrohttpd server standing in, in this process) answering
    /// with bodies that hold the secret, reached through a URL with credentials in it.
    @Test(arguments: [(200, "not json \(secret)"), (200, "{\"status\": 404, \"error\": \"\(secret)\"}"),
                      (500, "<html>\(secret)</html>"), (403, "{\"error\": \"\(secret)\"}")] as [(UInt32, String)])
    func brokenJolokiaBody(status: UInt32, body: String) throws {
        let temp = try TemporaryDirectory("secrets")
        defer { temp.remove() }
        try FileManager.default.createDirectory(atPath: temp("data"), withIntermediateDirectories: true)
        let response = HTTPResponse(status: status, contentType: "application/json", text: body)
        let agent = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0)) { _ in .response(response) }
        defer { agent.stop() }
        let result = try run(["--once", "--cassandra.data-dir", temp("data"),
                              "--jolokia.url", "http://monitor:\(secret)@127.0.0.1:\(agent.port)/jolokia"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("probe=jolokia"), "\(result.stderr)")
        #expect(parseExposition(result.stdout).value("cassandra_backup_state_probe_success", ["source": "runtime"]) == 0)
        expectNoSecret(result, "Jolokia body")
    }

    /// A mistyped Jolokia URL stops start-up with one line that names it without the password.
    @Test(arguments: ["htp://monitor:\(secret)@127.0.0.1:8778/jolokia", "htp://127.0.0.1:8778/jolokia?password=\(secret)#\(secret)x",
                      "ftp://127.0.0.1/jolokia?\(secret)", "monitor:\(secret)@ host"])
    func mistypedJolokiaURL(url: String) throws {
        let result = try run(["--once", "--cassandra.data-dir", "/tmp", "--jolokia.url", url])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--jolokia.url") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        expectNoSecret(result, "the Jolokia URL")
    }

    /// libcurl reads http_proxy and friends from the environment: without
    /// `--jolokia.proxy-from-environment` the agent is reached directly, so credentials in the URL
    /// never reach a proxy; with it the proxy is used (which shows the stand-in proxy would see them).
    @Test func jolokiaIgnoresTheEnvironmentsProxyUnlessAsked() throws {
        let temp = try TemporaryDirectory("proxy")
        defer { temp.remove() }
        try FileManager.default.createDirectory(atPath: temp("data"), withIntermediateDirectories: true)
        let answer = HTTPResponse(status: 200, contentType: "application/json", text: #"{"value":true,"status":200}"#)
        let agentSaw = Mutex(0), proxySaw = Mutex<[String]>([])
        let agent = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0)) { _ in
            agentSaw.withLock { $0 += 1 }
            return .response(answer)
        }
        defer { agent.stop() }
        // A proxy is sent the absolute URL and the credentials; this one answers as the agent would.
        let proxy = try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0)) { request in
            proxySaw.withLock { $0.append(request.path + " " + (request.header("Authorization") ?? "")) }
            return .response(answer)
        }
        defer { proxy.stop() }
        let proxyURL = "http://127.0.0.1:\(proxy.port)"
        let environment = ["PATH": "/usr/bin:/bin", "http_proxy": proxyURL, "HTTPS_PROXY": proxyURL, "all_proxy": proxyURL, "ALL_PROXY": proxyURL]
        let arguments = ["--once", "--cassandra.data-dir", temp("data"), "--jolokia.url", "http://monitor:\(secret)@127.0.0.1:\(agent.port)/jolokia"]

        let direct = try Command.run(Self.exporter, arguments, environment: environment)
        #expect(direct.status == 0, "\(direct.stderr)")
        #expect(parseExposition(direct.stdout).value("cassandra_backup_incremental_enabled", ["source": "runtime"]) == 1)
        #expect(agentSaw.withLock { $0 } == 1 && proxySaw.withLock { $0 }.isEmpty, "the proxy saw \(proxySaw.withLock { $0 })")

        let proxied = try Command.run(Self.exporter, arguments + ["--jolokia.proxy-from-environment"], environment: environment)
        #expect(proxied.status == 0, "\(proxied.stderr)")
        #expect(agentSaw.withLock { $0 } == 1 && proxySaw.withLock { $0 }.count == 1, "asked for, the proxy is used")
        expectNoSecret(direct, "the Jolokia URL")
    }

    /// While running: cassandra.yaml and the web config turn broken (with the secret) and are
    /// re-read; the warnings name the files and positions only.
    @Test func filesBrokenWhileRunning() throws {
        let temp = try TemporaryDirectory("secrets")
        defer { temp.remove() }
        try FileManager.default.createDirectory(atPath: temp("data"), withIntermediateDirectories: true)
        try "incremental_backups: true\n".write(toFile: temp("cassandra.yaml"), atomically: true, encoding: .utf8)
        try "http_server_config:\n  headers:\n    X-Frame-Options: deny\n".write(toFile: temp("web.yml"), atomically: true, encoding: .utf8)
        let process = try RunningProcess(Self.exporter, ["--web.listen-address", "127.0.0.1:0", "--cassandra.data-dir", temp("data"),
                                                         "--cassandra.config", temp("cassandra.yaml"), "--web.config.file", temp("web.yml"),
                                                         "--collector.interval", "200ms", "--log.level", "debug"])
        defer { _ = process.stop() }
        _ = try process.listeningPort()
        try Self.brokenCassandraYaml[0].write(toFile: temp("cassandra.yaml"), atomically: true, encoding: .utf8)
        try Self.brokenWebConfigs[1].write(toFile: temp("web.yml"), atomically: true, encoding: .utf8)
        _ = try process.waitForLine(timeout: 20) { $0.contains("cannot read cassandra.yaml") }
        _ = try process.waitForLine(timeout: 20) { $0.contains("web config not applied") }
        #expect(!process.standardError.contains(secret), "\(process.standardError)")
    }
}
