import Foundation
import Testing
import TestSupport

/// A fleet as it is deployed: 20 exporters on simulated nodes of two clusters, one Prometheus
/// (Debian's) scraping them with target labels from file_sd, Debian's Alertmanager routing by
/// cluster to a webhook receiver, and the same rules again in VictoriaMetrics' vmalert over
/// Debian's VictoriaMetrics, fed by Prometheus' remote write. Backups fill the disks of two nodes
/// of one cluster and one of the other: each cluster's on-call gets one page naming its nodes.
@Suite(.serialized) struct FleetTests {
    static let clusters = [("eu", 10), ("us", 10)]
    static let filling: Set<String> = ["eu-01", "eu-02", "us-01"]
    static let page = "CassandraBackupDiskFillingUp"

    @Test func aFleetPagesEachClustersOnCallWithItsNodes() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        try expectEachClusterPagedWithItsNodes(fleet)
        try expectEveryScrapeLabelOnThePage(fleet)
        try expectFleetPanelsKeepTheCluster(fleet)
        try expectVMAlertPagesTheSameNodes(fleet)
        try printSizing(fleet)
    }

    /// Each cluster's on-call receives one page, grouped per cluster, naming exactly its filling nodes.
    private func expectEachClusterPagedWithItsNodes(_ fleet: Fleet) throws {
        let temp = fleet.temp
        var pages: [String: Set<String>] = [:]
        let deadline = Date().addingTimeInterval(150)
        while Date() < deadline && (pages["/eu"] != ["eu-01", "eu-02"] || pages["/us"] != ["us-01"]) {
            sleep(2)
            pages = [:]
            let lines = ((try? String(contentsOfFile: temp("received"), encoding: .utf8)) ?? "").split(separator: "\n")
            for line in lines {
                let parts = line.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, let body = try? JSONSerialization.jsonObject(with: Data(parts[1].utf8)) as? [String: Any],
                      (body["groupLabels"] as? [String: String])?["alertname"] == Self.page else { continue }
                let nodes = (body["alerts"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "firing" }
                    .compactMap { ($0["labels"] as? [String: String])?["node"] }
                pages[String(parts[0]), default: []].formUnion(nodes)
                #expect((body["groupLabels"] as? [String: String])?["cluster"] == String(parts[0].dropFirst()), "grouped per cluster: \(line)")
            }
        }
        print("fleet: pages received per on-call route: \(pages.mapValues { $0.sorted() }.sorted { $0.key < $1.key })")
        let received = ((try? String(contentsOfFile: temp("received"), encoding: .utf8)) ?? "").split(separator: "\n")
        for route in ["/eu ", "/us "] {
            guard let last = received.last(where: { $0.hasPrefix(route) && $0.contains(Self.page) }),
                  let body = try? JSONSerialization.jsonObject(with: Data(last.dropFirst(route.count).utf8)) as? [String: Any] else { continue }
            let alerts = (body["alerts"] as? [[String: Any]] ?? []).compactMap { $0["labels"] as? [String: String] }
                .map { labels in ["node", "cluster", "datacenter", "team", "severity"].map { "\($0)=\(labels[$0] ?? "")" }.joined(separator: ",") }
            let group = body["groupLabels"] ?? "?", receiverName = body["receiver"] ?? "?"
            print("fleet: page to \(route)receiver=\(receiverName) groupLabels=\(group) alerts=\(alerts)")
        }
        #expect(pages["/eu"] == ["eu-01", "eu-02"], "eu's on-call")
        #expect(pages["/us"] == ["us-01"], "us's on-call")
        #expect(pages["/other"] == nil, "no page went to the catch-all route")
    }

    /// Every label the scrape added is on the page.
    private func expectEveryScrapeLabelOnThePage(_ fleet: Fleet) throws {
        let alerts = ((try Fleet.json(fleet.prometheus.url + "/api/v1/alerts"))["data"] as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
        let firing = alerts.compactMap { $0["labels"] as? [String: String] }.filter { $0["alertname"] == Self.page }
        #expect(Set(firing.compactMap { $0["node"] }) == Self.filling)
        for labels in firing {
            #expect(["cluster", "datacenter", "team", "node", "instance", "job", "data_dir"].allSatisfy { labels[$0] != nil }, "\(labels)")
        }
    }

    /// The fleet dashboard's queries return rows that keep the cluster; with showMultiCluster,
    /// the cluster variable narrows every fleet panel to one cluster.
    private func expectFleetPanelsKeepTheCluster(_ fleet: Fleet) throws {
        for (panel, expr) in try PrometheusTests.panelQueries("cassandra-backup-fleet.json", instance: ".*") {
            let result = try fleet.prometheus.query(expr)
            #expect(!result.isEmpty, "panel \(panel) returned nothing: \(expr)")
            let clusters = Set(result.compactMap { ($0["metric"] as? [String: String])?["cluster"] })
            if result.count > 1 { #expect(clusters == ["eu", "us"], "panel \(panel) has per-cluster rows: \(clusters)") }
        }
        let multi = try Command.run("bash", [Repository.path("scripts/render-mixin.sh"), fleet.temp("multi"), "{ showMultiCluster: true }"])
        try #require(multi.status == 0, "\(multi.stderr)")
        for (panel, expr) in try PrometheusTests.panelQueries("cassandra-backup-fleet.json", instance: ".*", cluster: "eu",
                                                               directory: URL(fileURLWithPath: fleet.temp("multi/dashboards"))) {
            #expect(expr.contains("cluster=~\"eu\""), "panel \(panel) is narrowed: \(expr)")
            let clusters = Set(try fleet.prometheus.query(expr).compactMap { ($0["metric"] as? [String: String])?["cluster"] })
            #expect(clusters.isSubset(of: ["eu"]), "panel \(panel) shows only eu: \(clusters)")
        }
    }

    /// The same pages in vmalert, from VictoriaMetrics.
    private func expectVMAlertPagesTheSameNodes(_ fleet: Fleet) throws {
        var vmalertNodes: Set<String> = []
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline && vmalertNodes != Self.filling {
            sleep(2)
            let data = (try? Fleet.json("http://127.0.0.1:\(fleet.vmalertPort)/api/v1/alerts"))?["data"] as? [String: Any]
            vmalertNodes = Set((data?["alerts"] as? [[String: Any]] ?? [])
                .filter { $0["name"] as? String == Self.page && $0["state"] as? String == "firing" }
                .compactMap { ($0["labels"] as? [String: String])?["node"] })
        }
        print("fleet: vmalert fires \(Self.page) for \(vmalertNodes.sorted())")
        #expect(vmalertNodes == Self.filling, "vmalert over VictoriaMetrics pages the same nodes")
    }

    /// Sizing: what one node costs Prometheus (docs/alerts-and-dashboards.md quotes it).
    private func printSizing(_ fleet: Fleet) throws {
        let scraped = try fleet.prometheus.query("avg(scrape_samples_scraped{job=\"cassandra-backup\"})")
        let head = ((try Fleet.json(fleet.prometheus.url + "/api/v1/status/tsdb"))["data"] as? [String: Any])?["headStats"] as? [String: Any]
        let samples = (scraped.first?["value"] as? [Any])?.last as? String ?? "?"
        let status = (try? String(contentsOfFile: "/proc/\(fleet.prometheus.process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        print("fleet sizing: \(samples) samples per node per scrape; Prometheus head series \(head?["numSeries"] ?? "?") for 20 nodes (recording rules included); Prometheus resident \(rss.split(separator: " ").dropFirst().joined(separator: " "))")
    }
}

/// The running fleet: 20 nodes with their exporters (three filling their disks), a webhook
/// receiver, Alertmanager, VictoriaMetrics, Prometheus and vmalert; ``stop()`` ends them all.
private final class Fleet {
    let temp: TemporaryDirectory
    private var running: [RunningProcess] = []
    private(set) var prometheus: PrometheusServer!
    private(set) var vmalertPort = 0

    init() throws {
        temp = try TemporaryDirectory("fleet")
        do {
            try writeTargets(try startNodes())
            let receiver = try startReceiver()
            let alertmanager = try startAlertmanager(receiver: receiver)
            let victoriaMetrics = try startVictoriaMetrics()
            prometheus = try PrometheusServer(config: """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: [\(try renderRules("prometheus-rules"))]
                alerting:
                  alertmanagers:
                    - static_configs: [{targets: ['\(alertmanager)']}]
                remote_write:
                  - url: http://\(victoriaMetrics)/api/v1/write
                scrape_configs:
                  - job_name: cassandra-backup
                    file_sd_configs: [{files: ['\(temp("targets.json"))']}]
                """, in: temp, launch: start)
            try startVMAlert(victoriaMetrics: victoriaMetrics, receiver: receiver)
        } catch {
            stop()
            throw error
        }
    }

    func stop() {
        running.reversed().forEach { $0.stop() }
        running = []
        temp.remove()
    }

    static func json(_ url: String) throws -> [String: Any] {
        let output = try Command.output("curl", ["-s", url])
        return try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
    }

    private func start(_ executable: String, _ arguments: [String]) throws -> RunningProcess {
        let process = try RunningProcess(executable, arguments)
        running.append(process)
        return process
    }

    /// 20 nodes: static trees, and simulators that flush and compact (never ship) on three.
    private func startNodes() throws -> [(node: String, cluster: String, address: String)] {
        let sim = BuiltProducts.path("cassandra-node-sim")
        var targets: [(node: String, cluster: String, address: String)] = []
        for (cluster, count) in FleetTests.clusters {
            for index in 1...count {
                let node = String(format: "%@-%02d", cluster, index)
                let data = temp("nodes/\(node)/data")
                _ = try Command.output(sim, ["--data-dir", data, "--populate-only", "--seed", String(index),
                                             "--write-config", temp("nodes/\(node)/cassandra.yaml")])
                if FleetTests.filling.contains(node) {
                    _ = try start(sim, ["--data-dir", data, "--flush-interval", "0.3", "--compaction-interval", "0.7",
                                        "--snapshot-interval", "1000", "--ship-interval", "0", "--seed", String(index)])
                }
                let exporter = try start(BuiltProducts.exporter, [
                    "--cassandra.config", temp("nodes/\(node)/cassandra.yaml"), "--collector.interval", "1s",
                    "--web.listen-address", "127.0.0.1:0"])
                targets.append((node, cluster, "127.0.0.1:\(try exporter.listeningPort())"))
            }
        }
        #expect(targets.count == 20)
        return targets
    }

    /// file_sd: the labels a fleet routes by.
    private func writeTargets(_ targets: [(node: String, cluster: String, address: String)]) throws {
        let groups = targets.map { target in
            ["targets": [target.address], "labels": ["cluster": target.cluster, "datacenter": target.cluster + "-dc1",
                                                     "team": "storage-" + target.cluster, "node": target.node]] as [String: Any]
        }
        try JSONSerialization.data(withJSONObject: groups).write(to: URL(fileURLWithPath: temp("targets.json")))
    }

    /// The webhook receiver, writing each notification as a line of `received`; its base URL.
    private func startReceiver() throws -> String {
        _ = try start("/usr/bin/python3", [Repository.path("Tests/EndToEndTests/Fixtures/webhook_receiver.py"),
                                           temp("receiver.port"), temp("received")])
        var port = ""
        for _ in 0..<100 where port.isEmpty {
            usleep(50_000)
            port = (try? String(contentsOfFile: temp("receiver.port"), encoding: .utf8)) ?? ""
        }
        try #require(!port.isEmpty, "the webhook receiver did not start")
        return "http://127.0.0.1:\(port)"
    }

    /// Alertmanager, routing each cluster's critical alerts to its own on-call; its address.
    private func startAlertmanager(receiver: String) throws -> String {
        try """
            route:
              receiver: other
              group_by: [cluster, alertname]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
              routes:
                - matchers: ['cluster="eu"', 'severity="critical"']
                  receiver: eu-oncall
                - matchers: ['cluster="us"', 'severity="critical"']
                  receiver: us-oncall
            receivers:
              - name: other
                webhook_configs: [{url: '\(receiver)/other'}]
              - name: eu-oncall
                webhook_configs: [{url: '\(receiver)/eu'}]
              - name: us-oncall
                webhook_configs: [{url: '\(receiver)/us'}]
            """.write(toFile: temp("alertmanager.yml"), atomically: true, encoding: .utf8)
        let port = try freeLoopbackPort()
        let alertmanager = try start(try Command.which("prometheus-alertmanager"), [
            "--config.file=\(temp("alertmanager.yml"))", "--storage.path=\(temp("am"))",
            "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=", "--log.level=warn"])
        try alertmanager.waitUntilReady("http://127.0.0.1:\(port)/-/ready")
        return "127.0.0.1:\(port)"
    }

    /// VictoriaMetrics, fed by Prometheus' remote write; its address.
    private func startVictoriaMetrics() throws -> String {
        let port = try freeLoopbackPort()
        let victoriaMetrics = try start(try Command.which("victoria-metrics"), [
            "-storageDataPath=\(temp("vm"))", "-httpListenAddr=127.0.0.1:\(port)", "-retentionPeriod=1d",
            "-search.latencyOffset=1s", "-search.disableCache", "-loggerLevel=ERROR"])
        try victoriaMetrics.waitUntilReady("http://127.0.0.1:\(port)/health")
        return "127.0.0.1:\(port)"
    }

    /// vmalert with the portable rules over VictoriaMetrics. Its notifications go to the
    /// receiver apart, so the pages counted per on-call are Prometheus' alone.
    private func startVMAlert(victoriaMetrics: String, receiver: String) throws {
        vmalertPort = try freeLoopbackPort()
        let vmalert = try start(try Command.which("vmalert"), [
            "-rule=\(try renderRules("vmalert-rules", extra: ", keepFiringFor: ''"))",
            "-datasource.url=http://\(victoriaMetrics)", "-remoteWrite.url=http://\(victoriaMetrics)",
            "-notifier.url=\(receiver)/vmalert", "-evaluationInterval=1s",
            "-httpListenAddr=127.0.0.1:\(vmalertPort)", "-loggerLevel=ERROR"])
        try vmalert.waitUntilReady("http://127.0.0.1:\(vmalertPort)/health")
    }

    /// The mixin rendered with thresholds scaled to a test: any sustained growth pages (a
    /// horizon of 30 years), over a 20 s window that must hold for 5 s; no `for` waits.
    private func renderRules(_ name: String, extra: String = "") throws -> String {
        let rendered = try Command.run("bash", [Repository.path("scripts/render-mixin.sh"), temp(name),
                                                "{ growthWindow: '20s', sustainedGrowthSpan: '5s', diskFullHorizonSeconds: 1000000000\(extra) }"])
        try #require(rendered.status == 0, "\(rendered.stderr)")
        let rules = try String(contentsOfFile: temp("\(name)/alerts/cassandra-backup.rules.yml"), encoding: .utf8)
            .replacingOccurrences(of: #"for: "\d+[smh]""#, with: #"for: "0s""#, options: .regularExpression)
        try rules.write(toFile: temp("\(name).yml"), atomically: true, encoding: .utf8)
        return temp("\(name).yml")
    }
}
