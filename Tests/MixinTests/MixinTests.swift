import Foundation
import Synchronization
import Testing
import TestSupport

/// The mixin and what it renders (alerts/, dashboards/): checked with promtool, vmalert, jsonnet
/// and the lint, and read as files.
@Suite struct MixinTests {
    @Test func promtoolCheckRulesIsClean() throws {
        let result = try Command.run("promtool", ["check", "rules", Repository.path("alerts/cassandra-backup.rules.yml")])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("SUCCESS: 33 rules found"), "\(result.stdout)")
        #expect(!result.stdout.contains("WARNING") && !result.stderr.contains("WARNING"))
    }

    /// The unit tests and the operator stories (one sample per minute; the healthy month alone
    /// takes promtool about 100 s), in two promtool processes side by side.
    @Test func promtoolUnitTestsPass() throws {
        let tests = try FileManager.default.contentsOfDirectory(atPath: Repository.path("mixin/tests")).filter { $0.hasSuffix(".test.yml") }.sorted()
        #expect(tests.count == 8)
        let month = tests.filter { $0.contains("healthy-month") }
        let batches = [month, tests.filter { !month.contains($0) }]
        let results = Mutex<[Result<Command.Output, any Error>]>([])
        DispatchQueue.concurrentPerform(iterations: batches.count) { index in
            let result = Result { try Command.run("promtool", ["test", "rules"] + batches[index].map { Repository.path("mixin/tests/\($0)") }) }
            results.withLock { $0.append(result) }
        }
        for result in results.withLock({ $0 }) {
            let output = try result.get()
            #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        }
    }

    /// Labels a scrape adds (file_sd labels, relabelling, kube-prometheus' namespace and pod):
    /// every alert must carry them to Alertmanager, which routes and groups by them.
    static let targetLabels = [("cluster", "eu-1"), ("datacenter", "dc2"), ("namespace", "cassandra"), ("team", "storage")]

    /// Every unit test and story again, with the target labels on every input series and on every
    /// expected alert: an aggregation or join that drops one fails here.
    @Test func everyAlertKeepsTheLabelsTheScrapeAdds() throws {
        let temp = try TemporaryDirectory("routing")
        defer { temp.remove() }
        let tests = try FileManager.default.contentsOfDirectory(atPath: Repository.path("mixin/tests")).filter { $0.hasSuffix(".test.yml") }.sorted()
        let inserted = Self.targetLabels.map { "\($0.0)=\"\($0.1)\"," }.joined()
        var labelled = 0
        for test in tests {
            var lines: [String] = []
            let original = try String(contentsOfFile: Repository.path("mixin/tests/\(test)"), encoding: .utf8).components(separatedBy: "\n")
            for (index, line) in original.enumerated() {
                if line.hasPrefix("- ../") || line.hasPrefix("  - ../") {
                    lines.append("- " + Repository.path("alerts/cassandra-backup.rules.yml"))
                } else if let brace = line.firstIndex(of: "{"), line.trimmingCharacters(in: .whitespaces).hasPrefix("- series: ") {
                    lines.append(String(line[...brace]) + inserted + String(line[line.index(after: brace)...]))
                } else if line.trimmingCharacters(in: .whitespaces) == "- exp_labels:", index + 1 < original.count {
                    lines.append(line)
                    let indent = String(original[index + 1].prefix { $0 == " " })
                    lines += Self.targetLabels.map { "\(indent)\($0.0): \($0.1)" }
                    labelled += 1
                } else {
                    lines.append(line)
                }
            }
            try lines.joined(separator: "\n").write(toFile: temp(test), atomically: true, encoding: .utf8)
        }
        #expect(labelled >= 17, "expected alerts checked with the labels: \(labelled)")
        let result = try Command.run("promtool", ["test", "rules"] + tests.filter { !$0.contains("healthy-month") }.map { temp($0) })
        #expect(result.status == 0, "\(result.stdout.suffix(3000))\(result.stderr)")
    }

    /// `keepFiringFor: ''` renders rules that VictoriaMetrics' vmalert (Debian's, 1.79) loads; the
    /// default's keep_firing_for is what it refuses.
    @Test func rulesLoadInVmalertWithKeepFiringForOff() throws {
        let temp = try TemporaryDirectory("vmalert")
        defer { temp.remove() }
        let rendered = try Command.run("bash", [Repository.path("scripts/render-mixin.sh"), temp.path, "{ keepFiringFor: '' }"])
        try #require(rendered.status == 0, "\(rendered.stderr)")
        let rules = temp("alerts/cassandra-backup.rules.yml")
        #expect(try !String(contentsOfFile: rules, encoding: .utf8).contains("keep_firing_for"))
        let portable = try Command.run("vmalert", ["-rule=" + rules, "-dryRun"])
        #expect(portable.status == 0, "\(portable.stderr.suffix(2000))")
        let standard = try Command.run("vmalert", ["-rule=" + Repository.path("alerts/cassandra-backup.rules.yml"), "-dryRun"])
        #expect(standard.status != 0 && standard.stderr.contains("unknown fields"), "vmalert 1.79 refuses keep_firing_for")
    }

    /// The one import path docs/alerts-and-dashboards.md gives works as jsonnet-bundler lays the mixin out under `vendor/`.
    @Test func theDocumentedImportPathRenders() throws {
        let temp = try TemporaryDirectory("jb")
        defer { temp.remove() }
        let docs = try String(contentsOfFile: Repository.path("docs/alerts-and-dashboards.md"), encoding: .utf8)
        let line = try #require(docs.split(separator: "\n").first { $0.contains("local cassandraBackup = (import '") })
        let importPath = String(line.split(separator: "'")[1])
        let vendored = temp("vendor/" + importPath.replacingOccurrences(of: "/mixin.libsonnet", with: ""))
        try FileManager.default.createDirectory(atPath: (vendored as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: vendored, withDestinationPath: Repository.path("mixin"))
        try "local m = (import '\(importPath)') + { _config+:: { selector: 'job=\"x\"' } };\n{ alerts: std.length(m.prometheusAlerts.groups[0].rules), dashboards: std.objectFields(m.grafanaDashboards) }\n"
            .write(toFile: temp("main.jsonnet"), atomically: true, encoding: .utf8)
        let result = try Command.run("jsonnet", ["-J", temp("vendor"), temp("main.jsonnet")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"alerts\": 20") && result.stdout.contains("cassandra-backup-fleet.json"), "\(result.stdout)")
        let jsonnetfile = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Repository.path("mixin/jsonnetfile.json")))) as? [String: Any]
        #expect(jsonnetfile?["version"] as? Int == 1)
    }

    /// `make mixin`'s files are what is committed, and the stories are what their generator writes.
    @Test func committedFilesAreAFreshRender() throws {
        let temp = try TemporaryDirectory("mixin")
        defer { temp.remove() }
        let rendered = try Command.run("bash", [Repository.path("scripts/render-mixin.sh"), temp("render")])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        for file in ["alerts/cassandra-backup.rules.yml", "deploy/kubernetes/prometheusrule.yaml",
                     "dashboards/cassandra-backup-node.json", "dashboards/cassandra-backup-fleet.json"] {
            #expect(try String(contentsOfFile: temp("render/\(file)"), encoding: .utf8) == String(contentsOfFile: Repository.path(file), encoding: .utf8),
                    "\(file) differs from the mixin: run make mixin")
        }
        try FileManager.default.createDirectory(atPath: temp("stories"), withIntermediateDirectories: true)
        let stories = try Command.run("python3", [Repository.path("mixin/tests/stories.py"), temp("stories")])
        #expect(stories.status == 0, "\(stories.stderr)")
        for file in try FileManager.default.contentsOfDirectory(atPath: temp("stories")) {
            #expect(try String(contentsOfFile: temp("stories/\(file)"), encoding: .utf8) == String(contentsOfFile: Repository.path("mixin/tests/\(file)"), encoding: .utf8),
                    "mixin/tests/\(file) differs from stories.py's output")
        }
    }

    /// A user's overrides reach every rule: another selector leaves no series unselected, and a
    /// runbook URL pattern gives every alert a link to its own section of docs/runbook.md.
    @Test func overridesReachEveryRule() throws {
        let temp = try TemporaryDirectory("mixin-override")
        defer { temp.remove() }
        let rendered = try Command.run("bash", [Repository.path("scripts/render-mixin.sh"), temp.path,
                                                #"{ selector: 'namespace="db", job="cassandra"', runbookURLPattern: 'https://runbooks.example.org/cassandra-backup#%s' }"#])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let rules = try String(contentsOfFile: temp("alerts/cassandra-backup.rules.yml"), encoding: .utf8)
        #expect(!rules.contains(#"job=\"cassandra-backup\""#) && !rules.contains(#"job="cassandra-backup""#))
        let check = try Command.run("promtool", ["check", "rules", temp("alerts/cassandra-backup.rules.yml")])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        // Every selector of a raw series carries the selector; recorded series (level:name:operation) need none.
        let groups = try #require(try PythonTools.loadYAML(temp("alerts/cassandra-backup.rules.yml")).first as? [String: Any])["groups"] as? [[String: Any]]
        let expressions = (groups ?? []).flatMap { $0["rules"] as? [[String: Any]] ?? [] }.compactMap { $0["expr"] as? String }
        #expect(expressions.count == 33)
        let series = try NSRegularExpression(pattern: #"(?<![\w:"|])(cassandra_backup_\w+|up)(?![\w:(])(\{[^}]*\})?|\{__name__[^}]*\}"#)
        for expression in expressions {
            for match in series.matches(in: expression, range: NSRange(expression.startIndex..., in: expression)) {
                let text = String(expression[Range(match.range, in: expression)!])
                #expect(text.contains(#"namespace="db", job="cassandra""#), "\(text) in \(expression) does not carry the selector")
            }
        }

        let runbook = try String(contentsOfFile: Repository.path("docs/runbook.md"), encoding: .utf8)
        let unitTests = try FileManager.default.contentsOfDirectory(atPath: Repository.path("mixin/tests")).filter { $0.hasSuffix(".test.yml") }
            .map { try String(contentsOfFile: Repository.path("mixin/tests/\($0)"), encoding: .utf8) }.joined()
        let blocks = rules.components(separatedBy: "- alert: ").dropFirst()
        #expect(blocks.count == 21)
        for block in blocks {
            let name = String(block.prefix { !$0.isNewline }).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            #expect(name.hasPrefix("CassandraBackup"))
            #expect(block.range(of: #"severity: "(critical|warning|info)""#, options: .regularExpression) != nil, "\(name) severity")
            for annotation in ["summary:", "description:"] { #expect(block.contains(annotation), "\(name) \(annotation)") }
            #expect(block.contains("runbook_url: \"https://runbooks.example.org/cassandra-backup#\(name.lowercased())\""), "\(name) runbook_url")
            #expect(runbook.contains("\n## \(name)\n"), "\(name) has no runbook section")
            // Fires somewhere in the unit tests (an expected alert with labels).
            #expect(unitTests.range(of: "alertname: \(name)\n *exp_alerts:\n *- exp_labels:", options: .regularExpression) != nil,
                    "\(name) never fires in a unit test")
        }
        let shipped = try String(contentsOfFile: Repository.path("alerts/cassandra-backup.rules.yml"), encoding: .utf8)
        #expect(!shipped.contains("runbook_url"), "no runbook URL by default: where docs/runbook.md is served is the user's choice")
    }

    @Test(arguments: ["cassandra-backup-node.json", "cassandra-backup-fleet.json"])
    func dashboardsAreImportReady(file: String) throws {
        let data = try Data(contentsOf: Repository.root.appendingPathComponent("dashboards/\(file)"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((dashboard["uid"] as? String)?.hasPrefix("cassandra-backup-") == true)
        #expect((dashboard["tags"] as? [String])?.contains("cassandra-backup-exporter") == true)
        #expect(dashboard["id"] == nil, "no instance-specific id, so it imports anywhere")
        let variables = ((dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(variables.starts(with: ["datasource", "job"]))
        if file.contains("node") { #expect(variables == ["datasource", "job", "instance", "keyspace", "table"]) }
        #expect((dashboard["description"] as? String)?.hasPrefix("Generated from mixin/dashboards/") == true,
                "the description says the file is generated, and from what")
    }

    /// Every file `make mixin` writes says so in its first lines, with what to edit instead.
    @Test(arguments: ["alerts/cassandra-backup.rules.yml", "deploy/kubernetes/prometheusrule.yaml",
                      "dashboards/cassandra-backup-node.json", "dashboards/cassandra-backup-fleet.json"])
    func generatedFilesSaySo(file: String) throws {
        let head = try String(contentsOfFile: Repository.path(file), encoding: .utf8).split(separator: "\n").prefix(8).joined(separator: "\n")
        #expect(head.contains("Generated from mixin/") && head.contains("make mixin"), "\(file): \(head)")
    }

    /// `jsonnetfmt --test` and the lint pass on the mixin, and the lint fails a mixin whose panel
    /// lost its unit and whose alert lost its severity.
    @Test func lintPassesAndCatchesWhatItChecks() throws {
        let clean = try Command.run("bash", [Repository.path("scripts/lint-mixin.sh")])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        let temp = try TemporaryDirectory("lint")
        defer { temp.remove() }
        _ = try Command.output("cp", ["-r", Repository.path("mixin"), temp("mixin")])
        let source = temp("mixin/dashboards/node.grafana.json")
        let node = try String(contentsOfFile: source, encoding: .utf8)
        try node.replacingOccurrences(of: #""unit": "bytes""#, with: #""unit": """#).write(toFile: source, atomically: true, encoding: .utf8)
        let alerts = temp("mixin/alerts/alerts.libsonnet")
        let text = try String(contentsOfFile: alerts, encoding: .utf8)
        try text.replacingOccurrences(of: "labels: { severity: severity }", with: "labels: { severity: 'page' }").write(toFile: alerts, atomically: true, encoding: .utf8)
        let broken = try Command.run("bash", [Repository.path("scripts/lint-mixin.sh"), temp("mixin")])
        #expect(broken.status != 0)
        #expect(broken.stdout.contains("no unit") && broken.stdout.contains("severity"), "\(broken.stdout)\(broken.stderr)")
    }
}
