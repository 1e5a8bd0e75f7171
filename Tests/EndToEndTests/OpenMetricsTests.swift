import Foundation
import NodeSimulator
import Testing
import TestSupport

/// `/metrics` in OpenMetrics 1.0, read by two parsers other people wrote: prometheus_client's
/// strict OpenMetrics parser (Python) and Debian's Prometheus scraping the exporter. The tree
/// stands still, so both formats and every scrape carry the same samples.
@Suite(.serialized) struct OpenMetricsTests {
    static let exporter = BuiltProducts.path("cassandra-backup-exporter")
    /// What Prometheus 2.x sends (scrape.go, `scrapeAcceptHeader`).
    static let prometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

    /// Headers and body of one scrape.
    private static func scrape(_ url: String, accept: String?, gzip: Bool = false) throws -> (contentType: String, body: String) {
        let temp = try TemporaryDirectory("scrape")
        defer { temp.remove() }
        var arguments = ["-sS", "--fail", "-D", temp("headers"), "-o", temp("body"), url]
        if let accept { arguments += ["-H", "Accept: \(accept)"] }
        if gzip { arguments.append("--compressed") }
        let result = try Command.run("curl", arguments)
        guard result.status == 0 else { throw CommandError(message: "curl: \(result.stderr)") }
        let headers = try String(contentsOfFile: temp("headers"), encoding: .utf8)
        let contentType = headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-type:") }
            .map { String($0.dropFirst("content-type:".count)).trimmingCharacters(in: .whitespaces) } ?? ""
        return (contentType, try String(contentsOfFile: temp("body"), encoding: .utf8))
    }

    /// The text and OpenMetrics bodies of the same scan (the scan's end time agrees).
    private static func bothFormats(_ url: String) throws -> (text: String, openMetrics: (contentType: String, body: String)) {
        for _ in 0..<50 {
            let text = try scrape(url, accept: nil).body
            let openMetrics = try scrape(url, accept: prometheusAccept)
            let stamp = "cassandra_backup_scan_last_success_timestamp_seconds "
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(stamp) }), openMetrics.body.contains(line + "\n") {
                return (text, openMetrics)
            }
        }
        throw CommandError(message: "no two scrapes of the same scan")
    }

    @Test func strictParserAndPrometheusReadTheSameSamples() throws {
        let temp = try TemporaryDirectory("openmetrics")
        defer { temp.remove() }
        let directories = try SimulatedNode.jbodAfterSomeLife(in: temp)
        let exporter = try RunningProcess(Self.exporter, ["--web.listen-address", "127.0.0.1:0", "--collector.interval", "1s"]
                                          + directories.flatMap { ["--cassandra.data-dir", $0] })
        defer { _ = exporter.stop() }
        let target = "127.0.0.1:\(try exporter.listeningPort())"
        _ = try exporter.waitForLine { _ in (try? Self.scrape("http://\(target)/metrics", accept: nil).body.contains("cassandra_backup_scan_success 1")) == true }

        let (text, openMetrics) = try Self.bothFormats("http://\(target)/metrics")
        #expect(openMetrics.contentType == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        #expect(openMetrics.body.hasSuffix("\n# EOF\n"))
        #expect(openMetrics.body.contains("# TYPE cassandra_backup_scan_errors counter\n# UNIT") == false)
        #expect(openMetrics.body.contains("# TYPE cassandra_backup_size_bytes gauge\n# UNIT cassandra_backup_size_bytes bytes\n"))
        #expect(openMetrics.body.contains("# TYPE cassandra_backup_exporter_build info\n"))
        let gzipped = try Self.scrape("http://\(target)/metrics", accept: Self.prometheusAccept, gzip: true)
        #expect(gzipped.contentType == openMetrics.contentType && gzipped.body.hasSuffix("# EOF\n"))

        // prometheus_client's OpenMetrics parser refuses anything off the standard; it lists the samples.
        let parsed = try PythonTools.run("""
            import json, sys
            from prometheus_client.openmetrics.parser import text_string_to_metric_families
            samples = [[s.name, s.labels, repr(s.value)] for f in text_string_to_metric_families(sys.stdin.read()) for s in f.samples]
            print(json.dumps(samples))
            """, stdin: openMetrics.body)
        #expect(parsed.status == 0, "\(parsed.stderr)")
        let strict = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [[Any]])
        let plain = parseExposition(text)
        #expect(strict.count == plain.count && plain.count > 100, "\(strict.count) samples in OpenMetrics, \(plain.count) in text")
        for (sample, expected) in zip(strict, plain) {
            #expect(sample[0] as? String == expected.name && sample[1] as? [String: String] == expected.labels
                    && (sample[2] as? String).flatMap(Double.init) == expected.value, "\(sample) ≠ \(expected.name) \(expected.labels) \(expected.value)")
        }

        // Prometheus asks for OpenMetrics first and ingests exactly the same number of samples.
        let prometheus = try PrometheusServer(config: """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: cassandra-backup
                static_configs:
                  - targets: ['\(target)']
            """, in: temp, logLevel: "debug")
        defer { prometheus.stop() }
        let api = prometheus.url + "/api/v1"
        func query(_ expression: String) throws -> Double? { try prometheus.value(expression) }
        var scraped: Double?
        for _ in 0..<100 where scraped == nil {
            usleep(200_000)
            if try query("up{job=\"cassandra-backup\"}") == 1 { scraped = try query("scrape_samples_scraped{job=\"cassandra-backup\"}") }
        }
        #expect(scraped == Double(plain.count), "Prometheus scraped \(scraped ?? -1) samples, the text format has \(plain.count)")
        // Units travel only in OpenMetrics: their presence shows which format Prometheus parsed.
        let metadata = try Command.run("curl", ["-s", "--get", "--data-urlencode", "metric=cassandra_backup_size_bytes",
                                                "--data-urlencode", "match_target={job=\"cassandra-backup\"}", api + "/targets/metadata"]).stdout
        #expect(metadata.contains("\"unit\":\"bytes\""), "\(metadata)")
        let log = prometheus.process.standardError
        #expect(!log.contains("level=error") && !log.contains("Error on ingesting") && !log.contains("parse error"), "\(log.suffix(2000))")
    }
}
