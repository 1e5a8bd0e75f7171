import ExporterCore
import Exposition
import Testing

@Suite struct RouterTests {
    typealias Route = Router.Route

    @Test(arguments: [
        ("GET", "/metrics", "gzip", Route.metrics(.prometheus, gzip: true)),
        ("HEAD", "/metrics", nil, Route.metrics(.prometheus, gzip: false)),
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

    /// The `Accept` headers real scrapers send, and what each gets.
    @Test(arguments: [
        // Prometheus 2.x (scrape.go, scrapeAcceptHeader): OpenMetrics first.
        ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
         ExpositionFormat.openMetrics),
        // Prometheus before 2.5: protobuf (not served here), then text.
        ("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.1",
         .prometheus),
        // Prometheus 2.49+ with scrape_protocols: [PrometheusText0.0.4] only.
        ("text/plain;version=0.0.4;q=1,*/*;q=0.1", .prometheus),
        ("application/openmetrics-text;version=0.0.1", .openMetrics),
        ("application/openmetrics-text; version=2.0.0, text/plain;q=0.5", .prometheus),
        ("Application/OpenMetrics-Text", .openMetrics),
        ("text/plain;q=0.9, application/openmetrics-text;q=0.8", .prometheus),
        ("application/openmetrics-text;q=0, text/plain", .prometheus),
        ("*/*", .prometheus),  // curl
        ("application/json", .prometheus),
        (nil, .prometheus),
    ] as [(String?, ExpositionFormat)])
    func negotiatesTheFormat(accept: String?, expected: ExpositionFormat) {
        #expect(ContentNegotiation.format(accept: accept) == expected)
        #expect(Router.route(method: "GET", path: "/m", accept: accept, acceptEncoding: nil, telemetryPath: "/m") == .metrics(expected, gzip: false))
    }
}
