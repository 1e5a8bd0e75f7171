import ExporterCore
import Testing

@Suite struct RouterTests {
    typealias Route = Router.Route

    @Test(arguments: [
        ("GET", "/metrics", "gzip", Route.metrics(gzip: true)),
        ("HEAD", "/metrics", nil, Route.metrics(gzip: false)),
        ("GET", "/", "gzip", Route.landing),
        ("POST", "/metrics", nil, Route.methodNotAllowed),
        ("DELETE", "/", nil, Route.methodNotAllowed),
        ("GET", "/metrics/", nil, Route.notFound),
        ("GET", "/favicon.ico", nil, Route.notFound),
        ("POST", "/nowhere", nil, Route.notFound),
    ] as [(String, String, String?, Route)])
    func routesRequests(method: String, path: String, acceptEncoding: String?, expected: Route) {
        #expect(Router.route(method: method, path: path, acceptEncoding: acceptEncoding, telemetryPath: "/metrics") == expected)
    }
}
