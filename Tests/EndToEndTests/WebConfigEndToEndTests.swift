import Foundation
import NodeSimulator
import Testing
import TestSupport

/// `--web.config.file` for real: certificates made by openssl in the test, bcrypt hashes by
/// htpasswd, curl as the client.
@Suite(.serialized) struct WebConfigEndToEndTests {
    static let exporter = BuiltProducts.path("cassandra-backup-exporter")

    /// A CA, two server certificates for 127.0.0.1 signed by it (`server` and `rotated`, its
    /// successor), a client certificate signed by it, one signed by it for servers only (extended
    /// key usage `serverAuth`), and a self-signed client certificate nobody trusts.
    static func makeCertificates(in temp: TemporaryDirectory) throws {
        let script = """
            set -e
            cd "$1"
            openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca -keyout ca.key -out ca.crt 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.crt 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout rotated.key -out rotated.csr 2>/dev/null
            openssl x509 -req -in rotated.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out rotated.crt 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -subj /CN=prometheus -keyout client.key -out client.csr 2>/dev/null
            openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out client.crt 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -subj /CN=server-only -keyout serveronly.key -out serveronly.csr 2>/dev/null
            printf 'extendedKeyUsage=serverAuth\\n' > serveronly.ext
            openssl x509 -req -in serveronly.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile serveronly.ext -out serveronly.crt 2>/dev/null
            openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=stranger -keyout stranger.key -out stranger.crt 2>/dev/null
            """
        let result = try Command.run("/bin/sh", ["-c", script, "sh", temp.path])
        try #require(result.status == 0, "openssl: \(result.stderr)")
    }

    /// A bcrypt hash by htpasswd; cost 10 is exporter-toolkit's documented example cost.
    static func bcrypt(_ user: String, _ password: String, cost: Int = 10) throws -> String {
        let line = try Command.output("htpasswd", ["-nbBC", String(cost), user, password]).trimmingCharacters(in: .whitespacesAndNewlines)
        return String(line.split(separator: ":", maxSplits: 1)[1])
    }

    private func start(_ temp: TemporaryDirectory, webConfig: String) throws -> (RunningProcess, Int) {
        try webConfig.write(toFile: temp("web.yml"), atomically: true, encoding: .utf8)
        try SimulatedNode(dataDirectories: [temp("data")], tables: Array(TableSpec.demoSchema.prefix(2)), seed: 2).populate(flushes: 1)
        let process = try RunningProcess(Self.exporter, ["--web.listen-address", "127.0.0.1:0", "--cassandra.data-dir", temp("data"),
                                                         "--web.config.file", temp("web.yml")])
        return (process, try process.listeningPort())
    }

    /// Certificates in `temp`, and the exporter serving HTTPS with `server.crt`; `tlsExtra` adds
    /// lines to `tls_server_config`, `rest` adds sections after it.
    private func startTLS(_ temp: TemporaryDirectory, tlsExtra: String = "", rest: String = "") throws -> (RunningProcess, Int) {
        try Self.makeCertificates(in: temp)
        return try start(temp, webConfig: "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n" + tlsExtra + rest)
    }

    private func status(_ arguments: [String]) throws -> String {
        let result = try Command.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5"] + arguments)
        return result.stdout
    }

    @Test func basicAuthOverTLS() throws {
        let temp = try TemporaryDirectory("tls")
        defer { temp.remove() }
        let (exporter, port) = try startTLS(temp, rest: """
            http_server_config:
              headers:
                X-Frame-Options: deny
            basic_auth_users:
              alice: \(try Self.bcrypt("alice", "s3cret"))

            """)
        defer { exporter.stop() }
        let url = "https://127.0.0.1:\(port)/metrics"
        let ca = ["--cacert", temp("ca.crt")]

        #expect(try status(ca + ["-u", "alice:s3cret", url]) == "200")
        #expect(try status(ca + ["-u", "alice:wrong", url]) == "401")
        #expect(try status(ca + ["-u", "bob:s3cret", url]) == "401")
        let missing = try Command.output("curl", ["-s", "-D", "-", "-o", "/dev/null"] + ca + [url])
        #expect(missing.hasPrefix("HTTP/1.1 401"))
        #expect(missing.contains("WWW-Authenticate: Basic realm=\"cassandra-backup-exporter\""))
        let headers = try Command.output("curl", ["-s", "-D", "-", "-o", "/dev/null", "-u", "alice:s3cret"] + ca + [url])
        #expect(headers.contains("X-Frame-Options: deny\r\n"))
        let body = try Command.output("curl", ["-s", "-u", "alice:s3cret"] + ca + [url])
        #expect(body.contains("cassandra_backup_files{"))

        // Plain HTTP to the TLS port gets no HTTP answer.
        let plain = try Command.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "-u", "alice:s3cret",
                                             "http://127.0.0.1:\(port)/metrics"])
        #expect(plain.stdout == "000")
        // The server's certificate is checked by the client against the test CA.
        #expect(try status(["-u", "alice:s3cret", url]) == "000", "an untrusted server certificate is refused by curl")
    }

    @Test func clientCertificatesAndMinimumVersion() throws {
        let temp = try TemporaryDirectory("mtls")
        defer { temp.remove() }
        let (exporter, port) = try startTLS(temp, tlsExtra: """
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: ca.crt
              min_version: TLS13

            """)
        defer { exporter.stop() }
        let url = "https://127.0.0.1:\(port)/metrics"
        let ca = ["--cacert", temp("ca.crt")]
        #expect(try status(ca + ["--cert", temp("client.crt"), "--key", temp("client.key"), url]) == "200")
        #expect(try status(ca + [url]) != "200", "no client certificate")
        #expect(try status(ca + ["--cert", temp("stranger.crt"), "--key", temp("stranger.key"), url]) != "200", "untrusted client certificate")
        #expect(try status(ca + ["--cert", temp("client.crt"), "--key", temp("client.key"), "--tls-max", "1.2", url]) == "000",
                "TLS 1.2 is below min_version")
    }

    /// A client certificate made for servers only is refused, as Go's crypto/tls (exporter-toolkit)
    /// and `openssl verify -purpose sslclient` refuse it; one without extended key usage is valid
    /// for any purpose in all three.
    @Test func clientCertificateMustAllowClientAuthentication() throws {
        let temp = try TemporaryDirectory("eku")
        defer { temp.remove() }
        let (exporter, port) = try startTLS(temp, tlsExtra: "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n")
        defer { exporter.stop() }
        func opensslAccepts(_ certificate: String) throws -> Bool {
            try Command.run("openssl", ["verify", "-purpose", "sslclient", "-CAfile", temp("ca.crt"), temp(certificate)]).status == 0
        }
        #expect(try opensslAccepts("client.crt") && !opensslAccepts("serveronly.crt"), "the oracle's view of the two certificates")
        let url = "https://127.0.0.1:\(port)/metrics"
        let ca = ["--cacert", temp("ca.crt")]
        #expect(try status(ca + ["--cert", temp("client.crt"), "--key", temp("client.key"), url]) == "200")
        #expect(try status(ca + ["--cert", temp("serveronly.crt"), "--key", temp("serveronly.key"), url]) == "403")
    }

    /// The metrics as a client with the right certificate and password sees them.
    private func reloadMetrics(_ temp: TemporaryDirectory, port: Int) throws -> (successful: Double?, timestamp: Double?) {
        let body = try Command.output("curl", ["-s", "--max-time", "5", "--cacert", temp("ca.crt"), "--cert", temp("client.crt"),
                                               "--key", temp("client.key"), "-u", "alice:s3cret", "https://127.0.0.1:\(port)/metrics"])
        let samples = parseExposition(body)
        return (samples.value("cassandra_backup_exporter_config_last_reload_successful", ["file": "web"]),
                samples.value("cassandra_backup_exporter_config_last_reload_success_timestamp_seconds", ["file": "web"]))
    }

    /// Fail closed: deleting the web config, or a byte in it that is not UTF-8, keeps HTTPS, the
    /// client-certificate requirement and the users in force, and says so in the reload metrics.
    @Test func deletedOrUndecodableFileKeepsTLSUsersAndClientCertificates() throws {
        let temp = try TemporaryDirectory("failclosed")
        defer { temp.remove() }
        let (exporter, port) = try startTLS(temp, tlsExtra: "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n",
                                            rest: "basic_auth_users:\n  alice: \(try Self.bcrypt("alice", "s3cret"))\n")
        defer { exporter.stop() }
        let url = "https://127.0.0.1:\(port)/metrics"
        let client = ["--cacert", temp("ca.crt"), "--cert", temp("client.crt"), "--key", temp("client.key")]
        func stillClosed(_ when: String) throws {
            #expect(try status(client + ["-u", "alice:s3cret", url]) == "200", "\(when): the right client")
            #expect(try status(client + [url]) == "401", "\(when): no password")
            #expect(try status(client + ["-u", "alice:wrong", url]) == "401", "\(when): a wrong password")
            #expect(try status(["--cacert", temp("ca.crt"), "-u", "alice:s3cret", url]) != "200", "\(when): no client certificate")
            #expect(try status(["-u", "alice:s3cret", "http://127.0.0.1:\(port)/metrics"]) == "000", "\(when): plain HTTP")
        }
        try stillClosed("at start")
        let atStart = try reloadMetrics(temp, port: port)
        #expect(atStart.successful == 1)
        let started = try #require(atStart.timestamp)

        let good = try Data(contentsOf: URL(fileURLWithPath: temp("web.yml")))
        try FileManager.default.removeItem(atPath: temp("web.yml"))
        _ = try exporter.waitForLine(timeout: 15) { $0.contains("web config not applied") && $0.contains("no such file") }
        try stillClosed("file deleted")
        #expect(try reloadMetrics(temp, port: port) == (0, started))

        // "# café" in Latin-1: 0xE9 alone is not UTF-8.
        try (good + Data([0x23, 0x20, 0x63, 0x61, 0x66, 0xE9, 0x0A])).write(to: URL(fileURLWithPath: temp("web.yml")))
        _ = try exporter.waitForLine(timeout: 15) { $0.contains("web config not applied") && $0.contains("UTF-8") }
        try stillClosed("a Latin-1 byte")
        #expect(try reloadMetrics(temp, port: port) == (0, started))
        #expect(!exporter.standardError.contains("caf"), "no content in the log")

        // Emptied in place, as `: > web.yml`, an editor or a configuration tool does for a moment.
        // Before: TLS and basic auth were off within 5 s, and the reload metric stayed 1.
        try Data().write(to: URL(fileURLWithPath: temp("web.yml")))
        _ = try exporter.waitForLine(timeout: 15) { $0.contains("web config not applied") && $0.contains("empty") }
        try stillClosed("file emptied")
        #expect(try reloadMetrics(temp, port: port) == (0, started))

        try good.write(to: URL(fileURLWithPath: temp("web.yml")))
        _ = try exporter.waitForLine(timeout: 15) { $0.contains("readable again") }
        let recovered = try reloadMetrics(temp, port: port)
        #expect(recovered.successful == 1)
        #expect(try #require(recovered.timestamp) > started)
        try stillClosed("file restored")
        #expect(exporter.standardError.components(separatedBy: "level=error").count - 1 == 3, "one line per distinct failure: \(exporter.standardError)")
    }

    /// A reload is applied whole or not at all: a file whose new certificate is not written yet
    /// keeps its users out of force too (before: its users applied and the metric said 0), and a
    /// file that turns TLS off needs a restart.
    @Test func aReloadIsAppliedWholeOrNotAtAll() throws {
        let temp = try TemporaryDirectory("transaction")
        defer { temp.remove() }
        let users = "basic_auth_users:\n  alice: \(try Self.bcrypt("alice", "s3cret"))\n"
        let (exporter, port) = try startTLS(temp, rest: users)
        defer { exporter.stop() }
        let url = "https://127.0.0.1:\(port)/metrics"
        func closed(_ when: String) throws {
            #expect(try status(["--cacert", temp("ca.crt"), url]) == "401", "\(when): no password")
            #expect(try status(["--cacert", temp("ca.crt"), "-u", "alice:s3cret", url]) == "200", "\(when): the right password")
        }
        try closed("at start")

        // The users dropped, and a certificate that is not there yet.
        try "tls_server_config:\n  cert_file: next.crt\n  key_file: next.key\n".write(toFile: temp("web.yml"), atomically: true, encoding: .utf8)
        _ = try exporter.waitForLine(timeout: 15) { $0.contains("web config not applied") && $0.contains("next.crt") }
        try closed("certificate missing")
        let body = try Command.output("curl", ["-s", "--cacert", temp("ca.crt"), "-u", "alice:s3cret", url])
        #expect(parseExposition(body).value("cassandra_backup_exporter_config_last_reload_successful", ["file": "web"]) == 0)

        // TLS off: refused, HTTPS goes on.
        try users.write(toFile: temp("web.yml"), atomically: true, encoding: .utf8)
        _ = try exporter.waitForLine(timeout: 15) { $0.contains("web config not applied") && $0.contains("restart") }
        try closed("TLS turned off")
        #expect(try status(["http://127.0.0.1:\(port)/metrics"]) == "000", "still no plain HTTP")
    }

    @Test func fileIsReloadedAndABrokenFileKeepsTheLastGoodSettings() throws {
        let temp = try TemporaryDirectory("reload")
        defer { temp.remove() }
        let (exporter, port) = try start(temp, webConfig: "basic_auth_users:\n  alice: \(try Self.bcrypt("alice", "first"))\n")
        defer { exporter.stop() }
        let url = "http://127.0.0.1:\(port)/metrics"
        #expect(try status(["-u", "alice:first", url]) == "200")

        try "basic_auth_users:\n  alice: \(try Self.bcrypt("alice", "second"))\n".write(toFile: temp("web.yml"), atomically: true, encoding: .utf8)
        var reloaded = false
        for _ in 0..<40 where !reloaded {
            usleep(250_000)
            reloaded = try status(["-u", "alice:second", url]) == "200"
        }
        #expect(reloaded, "the new password works after the file changed")
        #expect(try status(["-u", "alice:first", url]) == "401")

        try "basic_auth_users: [broken\n".write(toFile: temp("web.yml"), atomically: true, encoding: .utf8)
        _ = try exporter.waitForLine(timeout: 15) { $0.contains("web config not applied") }
        #expect(try status(["-u", "alice:second", url]) == "200", "the last good settings stay")
    }

    @Test func brokenFileAtStartUpIsOneClearLine() throws {
        let temp = try TemporaryDirectory("badweb")
        defer { temp.remove() }
        try "basic_auth_users:\n  alice: not-a-hash\n".write(toFile: temp("web.yml"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: temp("data"), withIntermediateDirectories: true)
        let result = try Command.run(Self.exporter, ["--web.config.file", temp("web.yml"), "--cassandra.data-dir", temp("data"),
                                                     "--web.listen-address", "127.0.0.1:0"])
        #expect(result.status != 0)
        #expect(result.stderr == "cassandra-backup-exporter: web config \(temp("web.yml")): 2:10: basic_auth_users entry is not a bcrypt hash ($2a$, $2b$ or $2y$)\n")
    }

    /// The SHA-256 fingerprint of the certificate the server presents, as openssl sees it.
    private func servedFingerprint(port: Int) throws -> String {
        let result = try Command.run("/bin/sh", ["-c", "openssl s_client -connect 127.0.0.1:$1 </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256",
                                                 "sh", String(port)])
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func fingerprint(_ file: String) throws -> String {
        try Command.output("openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-in", file]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Replaces `path` by `content` the way deploy tools and cert-manager do: a new file renamed over it.
    private func replace(_ path: String, with content: Data) throws {
        try content.write(to: URL(fileURLWithPath: path + ".new"))
        try #require(rename(path + ".new", path) == 0)
    }

    @Test func certificateRotatedInPlaceIsServedAndBrokenOrMissingFilesKeepTheOneInMemory() throws {
        let temp = try TemporaryDirectory("rotate")
        defer { temp.remove() }
        let (exporter, port) = try startTLS(temp)
        defer { exporter.stop() }
        let original = try fingerprint(temp("server.crt")), rotated = try fingerprint(temp("rotated.crt"))
        try #require(original != rotated && !original.isEmpty)
        #expect(try servedFingerprint(port: port) == original)

        // Same paths, new content: served within a reload period (5 s).
        try replace(temp("server.key"), with: try Data(contentsOf: URL(fileURLWithPath: temp("rotated.key"))))
        try replace(temp("server.crt"), with: try Data(contentsOf: URL(fileURLWithPath: temp("rotated.crt"))))
        var served = ""
        for _ in 0..<60 where served != rotated {
            usleep(250_000)
            served = try servedFingerprint(port: port)
        }
        #expect(served == rotated, "the rotated certificate is served")
        _ = try exporter.waitForLine(timeout: 5) { $0.contains("TLS settings reloaded") }

        // A broken certificate: the one in memory goes on, the error is logged once.
        try replace(temp("server.crt"), with: Data("-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n".utf8))
        _ = try exporter.waitForLine(timeout: 15) { $0.contains("web config not applied") }
        Thread.sleep(forTimeInterval: 11)  // two more reload periods
        #expect(try servedFingerprint(port: port) == rotated)
        #expect(try status(["--cacert", temp("ca.crt"), "https://127.0.0.1:\(port)/metrics"]) == "200")
        #expect(exporter.standardError.components(separatedBy: "web config not applied").count - 1 == 1, "\(exporter.standardError)")

        // Files removed: still served from memory; one more error line, for the new failure.
        try FileManager.default.removeItem(atPath: temp("server.crt"))
        try FileManager.default.removeItem(atPath: temp("server.key"))
        Thread.sleep(forTimeInterval: 11)
        #expect(try status(["--cacert", temp("ca.crt"), "https://127.0.0.1:\(port)/metrics"]) == "200")
        #expect(try servedFingerprint(port: port) == rotated)
        #expect(exporter.standardError.components(separatedBy: "web config not applied").count - 1 == 2, "\(exporter.standardError)")
        // libmicrohttpd's own complaint about the broken certificate came through the logger too.
        #expect(exporter.standardError.contains("msg=libmicrohttpd"), "\(exporter.standardError)")
        #expect(exporter.standardError.split(separator: "\n").allSatisfy { $0.hasPrefix("ts=") }, "\(exporter.standardError)")
    }

    /// One client speaking plain HTTP to the HTTPS port for 3 s: libmicrohttpd has a message for
    /// every connection; at most 20 a minute reach the log (before: 35,640 lines, 7.3 MB), the
    /// rest are counted in the next minute's first line.
    @Test func aClientsErrorsCannotFloodTheLog() throws {
        let temp = try TemporaryDirectory("logflood")
        defer { temp.remove() }
        let (exporter, port) = try startTLS(temp)
        defer { exporter.stop() }
        let linesBefore = exporter.standardError.split(separator: "\n").count
        let clock = ContinuousClock()
        let end = clock.now + .seconds(3)
        var connections = 0
        while clock.now < end {
            guard let descriptor = connectLoopback(port: port) else { continue }
            _ = "GET /metrics HTTP/1.1\r\n\r\n".withCString { send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            var byte: UInt8 = 0
            _ = recv(descriptor, &byte, 1, 0)
            close(descriptor)
            connections += 1
        }
        Thread.sleep(forTimeInterval: 0.5)
        let lines = exporter.standardError.split(separator: "\n").count - linesBefore
        print("log flood: \(connections) plain-HTTP connections to the HTTPS port in 3 s, \(lines) log lines")
        #expect(connections > 1000)
        #expect(lines <= 20, "\(exporter.standardError.suffix(2000))")
    }
}
