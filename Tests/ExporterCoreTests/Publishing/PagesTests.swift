import ExporterCore
import Exposition
import Foundation
import Testing
import TestSupport

/// The responses one collection is served as: the metrics in both formats, plain and gzip, and
/// the landing page.
@Suite struct PagesTests {
    /// Every variant carries the same samples: gzip decompresses (by curl) to the plain text, and
    /// OpenMetrics, parsed by the same reader, has the same series and values.
    @Test func theFourVariantsCarryTheSameSamples() throws {
        var state = CollectorState(build: .current)
        state.status.lastScanSucceeded = true
        state.status.lastScanDuration = 1.5
        let web = try LocalWebFront(state: state)
        let plain = try web.get("/metrics")
        #expect(plain.status == 200)
        #expect(plain.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(plain.headers["vary"] == "Accept, Accept-Encoding")
        #expect(plain.headers["content-encoding"] == nil)

        let gzip = try web.get("/metrics", ["--compressed"])
        #expect(gzip.headers["content-encoding"] == "gzip")
        #expect(gzip.body == plain.body)

        let openMetrics = "Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
        for arguments in [["-H", openMetrics], ["-H", openMetrics, "--compressed"]] {
            let response = try web.get("/metrics", arguments)
            #expect(response.headers["content-type"]?.hasPrefix("application/openmetrics-text; version=1.0.0") == true)
            #expect(response.body.hasSuffix("# EOF\n"))
            let samples = parseExposition(response.body)
            #expect(samples.value("cassandra_backup_scan_duration_seconds") == 1.5)
            #expect(samples.value("cassandra_backup_scan_success") == 1)
        }
    }

    @Test func theLandingPageLinksTheMetricsAndSaysHowTheLastScanWent() throws {
        var state = CollectorState(build: .current)
        state.status.lastScanSucceeded = false
        let web = try LocalWebFront(state: state)
        let landing = try web.get("/")
        #expect(landing.status == 200)
        #expect(landing.headers["content-type"] == "text/html; charset=utf-8")
        #expect(landing.body.contains("href=\"./metrics\""), "relative, so it works behind a path-prefixing proxy")
        #expect(landing.body.contains("Version \(BuildInfo.current.version)"))
        #expect(landing.body.contains("failing (serving the last good values)"))
        #expect(landing.body.contains("A Prometheus exporter that measures Cassandra's incremental backups"), "says what it is")
        #expect(landing.body.contains("running node: unknown (no runtime probe: "), "says why the runtime state is unknown")
    }
}
