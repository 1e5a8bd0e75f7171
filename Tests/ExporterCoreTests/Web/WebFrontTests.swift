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
        #expect(web.front.apply(config))
        #expect(!web.front.apply(config), "the same configuration again changes nothing")
        let refused = try web.get("/metrics")
        #expect(refused.status == 401)
        #expect(refused.headers["www-authenticate"]?.hasPrefix("Basic") == true)
        for path in ["/metrics", "/", "/nowhere"] {
            let answer = try web.get(path, ["-u", "alice:s3cret"])
            #expect(answer.status == (path == "/nowhere" ? 404 : 200), "\(path)")
            #expect(answer.headers["x-frame-options"] == "deny", "\(path) carries the configured header")
        }
        #expect(try web.get("/metrics", ["-u", "alice:wrong"]).status == 401)

        #expect(web.front.apply(WebConfig()))
        let open = try web.get("/metrics")
        #expect(open.status == 200 && open.headers["x-frame-options"] == nil)
    }

    /// Without TLS in the configuration, a TLS reload has nothing to restart.
    @Test func aTLSReloadWithoutTLSChangesNothing() throws {
        let web = try LocalWebFront()
        #expect(try web.front.reloadTLS() == .unchanged)
        #expect(try web.get("/metrics").status == 200)
    }
}
