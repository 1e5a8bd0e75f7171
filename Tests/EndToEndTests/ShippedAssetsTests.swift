import Foundation
import Testing
import TestSupport

/// The shipped alert rules and dashboards, checked with Prometheus' own tool and read as files.
@Suite struct ShippedAssetsTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func path(_ relative: String) -> String { Self.repository.appendingPathComponent(relative).path }

    @Test func promtoolCheckRulesIsClean() throws {
        let result = try Command.run("promtool", ["check", "rules", path("alerts/cassandra-backup.rules.yml"), path("alerts/cassandra-backup.thresholds.yml")])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(!result.stdout.contains("WARNING") && !result.stderr.contains("WARNING"))
    }

    @Test func promtoolUnitTestsPass() throws {
        let tests = try FileManager.default.contentsOfDirectory(atPath: path("alerts/tests")).filter { $0.hasSuffix(".test.yml") }.sorted()
        #expect(tests.count == 3)
        let result = try Command.run("promtool", ["test", "rules"] + tests.map { path("alerts/tests/\($0)") })
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test func everyAlertHasSeverityAnnotationsRunbookSectionAndAUnitTest() throws {
        let rules = try String(contentsOfFile: path("alerts/cassandra-backup.rules.yml"), encoding: .utf8)
        let runbook = try String(contentsOfFile: path("docs/runbook.md"), encoding: .utf8)
        let unitTests = try String(contentsOfFile: path("alerts/tests/cassandra-backup.test.yml"), encoding: .utf8)
            + String(contentsOfFile: path("alerts/tests/cassandra-backup-without-thresholds.test.yml"), encoding: .utf8)
            + String(contentsOfFile: path("alerts/tests/cassandra-backup-snapshots.test.yml"), encoding: .utf8)
        let blocks = rules.components(separatedBy: "- alert: ").dropFirst()
        #expect(blocks.count == 16)
        for block in blocks {
            let name = String(block.prefix { !$0.isNewline })
            #expect(name.hasPrefix("CassandraBackup"))
            #expect(block.range(of: #"severity: (critical|warning|info)\n"#, options: .regularExpression) != nil, "\(name) severity")
            for annotation in ["summary:", "description:", "runbook_url:"] { #expect(block.contains(annotation), "\(name) \(annotation)") }
            #expect(block.contains("runbook.md#\(name.lowercased())"), "\(name) runbook_url anchor")
            #expect(runbook.contains("\n## \(name)\n"), "\(name) has no runbook section")
            // Fires somewhere in the unit tests (an expected alert with labels).
            #expect(unitTests.contains("alertname: \(name)\n    exp_alerts:\n    - exp_labels:"), "\(name) never fires in a unit test")
        }
    }

    @Test(arguments: ["cassandra-backup-node.json", "cassandra-backup-fleet.json"])
    func dashboardsAreImportReady(file: String) throws {
        let data = try Data(contentsOf: Self.repository.appendingPathComponent("dashboards/\(file)"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((dashboard["uid"] as? String)?.hasPrefix("cassandra-backup-") == true)
        #expect((dashboard["tags"] as? [String])?.contains("cassandra-backup-exporter") == true)
        #expect(dashboard["id"] == nil, "no instance-specific id, so it imports anywhere")
        let variables = ((dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(variables.starts(with: ["datasource", "job"]))
        if file.contains("node") { #expect(variables == ["datasource", "job", "instance", "keyspace", "table"]) }
        for panel in dashboard["panels"] as? [[String: Any]] ?? [] {
            let unit = ((panel["fieldConfig"] as? [String: Any])?["defaults"] as? [String: Any])?["unit"] as? String
            #expect(unit?.isEmpty == false, "\(panel["title"] ?? "?") has no unit")
            #expect(((panel["datasource"] as? [String: Any])?["uid"] as? String) == "${datasource}")
        }
    }
}
