import ExporterCore
import Foundation
import Logging
import MicroHTTPD
import Testing
import TestSupport

/// The server on every listening socket, with the same handler.
@Suite struct WebServerTests {
    private static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    @Test func servesOnEveryListenerAndStopsOnAll() throws {
        let listeners = try (0..<2).map { _ in try ListeningSocket(address: ListenAddress(host: "127.0.0.1", port: 0)) }
        let response = HTTPResponse(status: 200, contentType: "text/plain", text: "same")
        let server = try WebServer(listeners: listeners, limits: HTTPServer.Limits(), tls: nil, logger: Self.logger) { _ in .response(response) }
        #expect(server.ports == listeners.map(\.port))
        for port in server.ports {
            #expect(try Command.output("curl", ["-s", "http://127.0.0.1:\(port)/"]) == "same")
        }
        #expect(try server.reload(tls: nil) == .unchanged)
        server.stop()
        for port in server.ports {
            // The sockets still listen (they belong to their owner), but nobody serves them.
            let result = try Command.run("curl", ["-s", "-m", "1", "http://127.0.0.1:\(port)/"])
            #expect(result.status != 0)
        }
    }

    /// A TLS file that cannot be read stops start-up with the file's name and no content.
    @Test func anUnreadableCertificateIsAConfigFileError() throws {
        let listener = try ListeningSocket(address: ListenAddress(host: "127.0.0.1", port: 0))
        let tls = try WebConfig.parse("tls_server_config:\n  cert_file: /nonexistent/cert.pem\n  key_file: /nonexistent/key.pem\n",
                                      path: "web.yml").tls
        #expect(throws: ConfigFileError.self) {
            _ = try WebServer(listeners: [listener], limits: HTTPServer.Limits(), tls: tls, logger: Self.logger) { _ in
                .response(HTTPResponse(status: 200, contentType: "text/plain", text: ""))
            }
        }
    }
}
