import Exposition
import Foundation
import Testing
import TestSupport

@Suite struct TextFormatTests {
    @Test func escapesBackslashQuoteAndNewlineInLabelValues() {
        #expect(TextFormat.escapeLabelValue(#"a\b"c"#) == #"a\\b\"c"#)
        #expect(TextFormat.escapeLabelValue("line1\nline2") == #"line1\nline2"#)
        #expect(TextFormat.escapeLabelValue("crlf\r\nend") == "crlf\r\\nend")
        #expect(TextFormat.escapeLabelValue("plain") == "plain")
        // Found by fuzzing: a line feed and a combining mark form one Character that is not "\n".
        #expect(TextFormat.escapeLabelValue("a\n\u{301}b") == "a\\n\u{301}b")
        #expect(TextFormat.escapeLabelValue("\\\u{301}") == "\\\\\u{301}")
    }

    @Test func formatsIntegersWithoutExponentAndKeepsFractions() {
        #expect(TextFormat.formatValue(0) == "0")
        #expect(TextFormat.formatValue(123_456_789_012) == "123456789012")
        #expect(TextFormat.formatValue(0.25) == "0.25")
        #expect(TextFormat.formatValue(1_714_558_530.5) == "1714558530.5")
        #expect(TextFormat.formatValue(.nan) == "NaN")
        #expect(TextFormat.formatValue(.infinity) == "+Inf")
    }

    @Test func outputIsSortedAndStableWhateverTheInputOrder() {
        let families = [
            MetricFamily(name: "b_metric", help: "B.", samples: [.init([("k", "z")], 1), .init([("k", "a")], 2)]),
            MetricFamily(name: "a_metric", help: "A.", kind: .counter, samples: [.init(3)]),
            MetricFamily(name: "empty_metric", help: "Nothing."),
        ]
        let text = TextFormat.render(families)
        #expect(text == """
            # HELP a_metric A.
            # TYPE a_metric counter
            a_metric 3
            # HELP b_metric B.
            # TYPE b_metric gauge
            b_metric{k="a"} 2
            b_metric{k="z"} 1

            """)
        #expect(TextFormat.render(families.reversed()) == text)
    }

    @Test func hostileLabelValuesStayValidForPromtool() throws {
        let hostile = ["quote\"d", #"back\slash"#, "new\nline", "tab\there", String(repeating: "x", count: 4096), "caf\u{E9}", "\u{FFFD}bad-utf8"]
        let family = MetricFamily(name: "cassandra_backup_files", help: "Test with \\ and\nnewline.",
                                  samples: hostile.map { .init([("table", $0)], 1) })
        let text = TextFormat.render([family])
        let result = try Command.run("promtool", ["check", "metrics"], stdin: text)
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty && result.stderr.isEmpty, "promtool said: \(result.stdout)\(result.stderr)")
        // The values come back unchanged through a parser.
        #expect(Set(parseExposition(text).compactMap { $0.labels["table"] }) == Set(hostile))
    }

    /// OpenMetrics 1.0: the family of `x_total` is counter `x`, of `x_info` info `x`; a unit
    /// suffix gets `# UNIT`; HELP escapes quotes too; `# EOF` ends it. The samples are the same.
    @Test func openMetricsNamesFamiliesUnitsAndEnds() {
        let families = [
            MetricFamily(name: "x_errors_total", help: "Errors.", kind: .counter, samples: [.init([("reason", "a")], 2)]),
            MetricFamily(name: "x_build_info", help: "Build \"info\".", kind: .info, samples: [.init([("version", "1")], 1)]),
            MetricFamily(name: "x_size_bytes", help: "Size.", samples: [.init(5)]),
            MetricFamily(name: "x_cpu_seconds_total", help: "CPU.", kind: .counter, samples: [.init(0.5)]),
        ]
        #expect(TextFormat.render(families, as: .openMetrics) == """
            # HELP x_build Build \\"info\\".
            # TYPE x_build info
            x_build_info{version="1"} 1
            # HELP x_cpu_seconds CPU.
            # TYPE x_cpu_seconds counter
            # UNIT x_cpu_seconds seconds
            x_cpu_seconds_total 0.5
            # HELP x_errors Errors.
            # TYPE x_errors counter
            x_errors_total{reason="a"} 2
            # HELP x_size_bytes Size.
            # TYPE x_size_bytes gauge
            # UNIT x_size_bytes bytes
            x_size_bytes 5
            # EOF

            """)
        #expect(TextFormat.render(families).contains("# TYPE x_build_info gauge\nx_build_info{version=\"1\"} 1\n"))
    }
}
