import ExporterCore
import Foundation
import Testing
import TestSupport

/// A new web configuration, applied to a running ``WebFront``: users and headers take effect for
/// the next request, on the metrics and on every other page.
@Suite struct WebFrontTests {
    @Test func usersAndHeadersTakeEffectOnTheNextRequest() throws {
        let web = try LocalWebFront()
        #expect(try web.get("/metrics").status == 200)

        var config = WebConfig()
        config.users = ["alice": WebConfigTests.hash]
        config.headers = [WebConfig.Header(name: "X-Frame-Options", value: "deny")]
        #expect(try web.front.reload(config).settingsChanged)
        let again = try web.front.reload(config)
        #expect(!again.settingsChanged && !again.tlsRestarted, "the same configuration again changes nothing")
        let refused = try web.get("/metrics")
        #expect(refused.status == 401)
        #expect(refused.headers["www-authenticate"]?.hasPrefix("Basic") == true)
        for path in ["/metrics", "/", "/nowhere"] {
            let answer = try web.get(path, ["-u", "alice:s3cret"])
            #expect(answer.status == (path == "/nowhere" ? 404 : 200), "\(path)")
            #expect(answer.headers["x-frame-options"] == "deny", "\(path) carries the configured header")
        }
        #expect(try web.get("/metrics", ["-u", "alice:wrong"]).status == 401)

        #expect(try web.front.reload(WebConfig()).settingsChanged)
        let open = try web.get("/metrics")
        #expect(open.status == 200 && open.headers["x-frame-options"] == nil)
    }

    /// Without TLS in the configuration, a reload has no server to restart.
    @Test func aReloadWithoutTLSRestartsNothing() throws {
        let web = try LocalWebFront()
        let outcome = try web.front.reload(WebConfig())
        #expect(!outcome.settingsChanged && !outcome.tlsRestarted)
        #expect(try web.get("/metrics").status == 200)
    }

    /// A reload is one transaction: a configuration that turns TLS on, or whose certificate file
    /// is not there yet, changes nothing, not even its users (they would otherwise apply while
    /// the metric says the last good settings are in force).
    @Test func aReloadThatCannotApplyItsTLSAppliesNothing() throws {
        let web = try LocalWebFront()
        let config = try WebConfig.parse("""
            tls_server_config:
              cert_file: /nonexistent/cert.pem
              key_file: /nonexistent/key.pem
            basic_auth_users:
              alice: \(WebConfigTests.hash)
            """, path: "/etc/web.yml")
        #expect(throws: WebFront.TLSModeChange.self) { try web.front.reload(config) }
        #expect(try web.get("/metrics").status == 200, "the users of a refused reload are not in force")
    }
}
