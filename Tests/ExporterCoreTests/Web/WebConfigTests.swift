import ExporterCore
import Foundation
import Testing
import TestSupport

@Suite struct WebConfigTests {
    static let hash = "$2y$10$yXVvEtDU.22IGX63nCq3q.D4zgUo/k7A7pKeW0uu4u0EI8IV5aAU6"  // htpasswd -nbBC 10 alice s3cret

    @Test func readsEverySection() throws {
        let config = try WebConfig.parse("""
            tls_server_config:
              cert_file: server.crt
              key_file: /etc/exporter/server.key
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: ca.crt
              min_version: TLS12
              max_version: TLS13
            http_server_config:
              http2: false
              headers:
                X-Frame-Options: deny
                Strict-Transport-Security: max-age=31536000
            basic_auth_users:
              alice: \(Self.hash)
            """, path: "/etc/exporter/web.yml")
        let tls = try #require(config.tls)
        #expect(tls.certFile == "/etc/exporter/server.crt" && tls.keyFile == "/etc/exporter/server.key" && tls.clientCAFile == "/etc/exporter/ca.crt")
        #expect(tls.clientAuth == .requireAndVerify)
        #expect(tls.priorities == "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2")
        #expect(config.headers.map(\.name) == ["Strict-Transport-Security", "X-Frame-Options"])
        #expect(config.users == ["alice": Self.hash])
    }

    @Test func emptyFileMeansNothingConfigured() throws {
        #expect(try WebConfig.parse("", path: "w.yml") == WebConfig())
    }

    @Test(arguments: [
        "unknown_section: {}",
        "tls_server_config:\n  cert_file: a\n",
        "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Sometimes\n",
        "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n",
        "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n",
        "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: SSL3\n",
        "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
        "http_server_config:\n  headers:\n    Set-Cookie: x\n",
        "basic_auth_users:\n  alice: plaintext\n",
        "basic_auth_users:\n  alice: $1$abc$defghijklmnopqrstuvwx\n",
        "basic_auth_users: [alice]",
        "[unclosed",
    ])
    func refusesWhatTheToolkitRefuses(text: String) {
        #expect(throws: ConfigFileError.self) { try WebConfig.parse(text, path: "w.yml") }
    }

    /// The input libFuzzer found in CI: a plain key over several lines, which YAML folds into a
    /// string holding a line feed, once quoted by "unknown field"; then a quoted CR and a
    /// multi-line syntax error.
    @Test(arguments: ["? t_aut b\n  \n   .   k\n", "basic_auth_users:\n  \"al\\rice\": x\n", "[unclosed\n  a\n"])
    func errorsAreOneLine(text: String) {
        do {
            _ = try WebConfig.parse(text, path: "w.yml")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.hasPrefix("web config w.yml: "))
            let lineBreaks = error.description.filter(\.isNewline)
            #expect(lineBreaks.isEmpty, "\(error.description)")
        }
    }

    /// exporter-toolkit reads the file with go-yaml's strict mode: a key written twice is an error.
    /// Errors name the position and the setting and never quote a value or an unknown key.
    @Test(arguments: [
        ("basic_auth_users:\n  alice: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n  alice: hunter2\n",
         "web config w.yml: malformed YAML: 3:3: duplicate key (first at 2:3)"),
        ("basic_auth_users:\n  alice: hunter2\n", "web config w.yml: 2:10: basic_auth_users entry is not a bcrypt hash ($2a$, $2b$ or $2y$)"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: hunter2\n",
         "web config w.yml: 4:21: client_auth_type is not one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert (or RequireClientCert)"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: hunter2\n", "web config w.yml: 4:16: min_version is not one of TLS10, TLS11, TLS12, TLS13"),
        ("tls_server_config:\n  hunter2: a\n", "web config w.yml: 2:3: unknown field in tls_server_config"),
        ("hunter2: x\n", "web config w.yml: 1:1: unknown field"),
        ("http_server_config:\n  headers:\n    hunter2: x\n",
         "web config w.yml: 3:5: header is not one of Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection"),
        ("http_server_config:\n  headers:\n    X-Frame-Options: hunter2\n", "web config w.yml: 3:22: header X-Frame-Options is not one of deny, sameorigin"),
    ])
    func refusesWithPositionsAndNoContent(text: String, expected: String) {
        #expect(throws: ConfigFileError(.web, path: "w.yml", reason: String(expected.dropFirst("web config w.yml: ".count)))) {
            try WebConfig.parse(text, path: "w.yml")
        }
    }

    /// exporter-toolkit's rules (`validateHeaderConfig` and `extraHTTPHeaders` in web/handler.go,
    /// `ConfigToTLSConfig` in web/tls_config.go), each row tried both ways: the text, and whether
    /// the toolkit accepts it.
    @Test(arguments: [
        // Headers: the names exactly as the toolkit writes them, values from its lists where it has one.
        ("http_server_config:\n  headers:\n    X-Frame-Options: deny\n", true),
        ("http_server_config:\n  headers:\n    X-Frame-Options: sameorigin\n", true),
        ("http_server_config:\n  headers:\n    X-Frame-Options: DENY\n", false),
        ("http_server_config:\n  headers:\n    X-Frame-Options: allow-from https://example.org\n", false),
        ("http_server_config:\n  headers:\n    x-frame-options: deny\n", false),
        ("http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n", true),
        ("http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n", false),
        ("http_server_config:\n  headers:\n    Strict-Transport-Security: max-age=31536000; includeSubDomains\n", true),
        ("http_server_config:\n  headers:\n    strict-transport-security: max-age=1\n", false),
        ("http_server_config:\n  headers:\n    X-XSS-Protection: 1; mode=block\n", true),
        ("http_server_config:\n  headers:\n    Content-Security-Policy: default-src 'self'\n", true),
        ("http_server_config:\n  headers:\n    Cache-Control: no-store\n", false),
        // Client authentication types and what each needs.
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: \"\"\n", true),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: NoClientCert\n", true),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: NoClientCert\n  client_ca_file: c\n", false),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n", false),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireClientCert\n  client_ca_file: c\n", true),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAnyClientCert\n  client_ca_file: c\n", true),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequestClientCert\n  client_ca_file: c\n", true),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: c\n", true),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: c\n", true),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: requireandverifyclientcert\n  client_ca_file: c\n", false),
        // TLS is on only when a certificate, key, CA or client_auth_type is set; then both files are needed.
        ("tls_server_config: {}\n", true),
        ("tls_server_config:\n  min_version: TLS13\n", true),
        ("tls_server_config:\n  cert_file: \"\"\n  key_file: \"\"\n", true),
        ("tls_server_config:\n  key_file: b\n", false),
    ])
    func acceptsAndRefusesAsTheToolkit(text: String, accepted: Bool) {
        let result = Result { try WebConfig.parse(text, path: "w.yml") }
        #expect(((try? result.get()) != nil) == accepted, "\(text): \(result)")
    }

    @Test func tlsIsOffUnlessAFileOrClientAuthIsSet() throws {
        #expect(try WebConfig.parse("tls_server_config:\n  min_version: TLS13\n", path: "w.yml").tls == nil)
        let tls = try #require(try WebConfig.parse("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireClientCert\n  client_ca_file: c\n",
                                                   path: "w.yml").tls)
        #expect(tls.clientAuth == .requireAny)
    }
}
