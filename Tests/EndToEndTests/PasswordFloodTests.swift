import Foundation
import NodeSimulator
import Synchronization
import Testing
import TestSupport

/// A flood of wrong passwords does not slow a scraper that knows the right one: bcrypt runs on
/// one slow-work thread with a bounded queue (beyond it: 503 at once), and known results, right
/// or wrong, are answered without bcrypt.
@Suite(.serialized) struct PasswordFloodTests {
    static let flooders = 16
    static let floodSeconds = 15.0

    private static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// The exporter on a small node with one user, `prometheus`, whose password is `right`.
    private static func startExporter(in temp: TemporaryDirectory, cost: Int = 10) throws -> RunningProcess {
        try "basic_auth_users:\n  prometheus: \(try WebConfigEndToEndTests.bcrypt("prometheus", "right", cost: cost))\n"
            .write(toFile: temp("web.yml"), atomically: true, encoding: .utf8)
        try SimulatedNode(dataDirectories: [temp("data")], tables: Array(TableSpec.demoSchema.prefix(2)), seed: 3).populate(flushes: 1)
        return try RunningProcess(BuiltProducts.path("cassandra-backup-exporter"), [
            "--web.listen-address", "127.0.0.1:0", "--cassandra.data-dir", temp("data"), "--web.config.file", temp("web.yml"),
        ])
    }

    @Test func aCorrectScraperIsAnsweredQuicklyDuringAWrongPasswordFlood() throws {
        let temp = try TemporaryDirectory("flood")
        defer { temp.remove() }
        let exporter = try Self.startExporter(in: temp)
        defer { exporter.stop() }
        let port = try exporter.listeningPort()
        let scraper = HTTPConnection(port: port)
        let right = Self.basic("prometheus", "right")
        try #require(scraper.get("/metrics", headers: ["Authorization": right]) == 200, "the first scrape pays one bcrypt check")

        let stop = Flag()
        let counts = Mutex<[Int: Int]>([:])
        let flooders = (0..<Self.flooders).map { index in
            Thread {
                let connection = HTTPConnection(port: port)
                var mine: [Int: Int] = [:]
                var attempt = 0
                while !stop.isSet {
                    attempt += 1
                    // Half the clients guess a new password every time (no cache can help), half
                    // repeat one (the failure cache answers).
                    let password = index % 2 == 0 ? "guess-\(index)-\(attempt)" : "guess-\(index)"
                    mine[connection.get("/metrics", headers: ["Authorization": Self.basic("prometheus", password)]), default: 0] += 1
                }
                counts.withLock { total in mine.forEach { total[$0.key, default: 0] += $0.value } }
            }
        }
        flooders.forEach { $0.start() }

        var latencies: [Double] = []
        var statuses: [Int: Int] = [:]
        let clock = ContinuousClock()
        let end = clock.now + .seconds(Self.floodSeconds)
        while clock.now < end {
            let started = clock.now
            let status = scraper.get("/metrics", headers: ["Authorization": right])
            let elapsed = clock.now - started
            latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            statuses[status, default: 0] += 1
            Thread.sleep(forTimeInterval: 0.1)
        }
        stop.set()
        while flooders.contains(where: { !$0.isFinished }) { usleep(10_000) }

        latencies.sort()
        let p50 = latencies[latencies.count / 2]
        let p99 = latencies[min(latencies.count - 1, Int((Double(latencies.count) * 0.99).rounded(.up)) - 1)]
        let flood = counts.withLock { $0 }
        print("password flood: \(Self.flooders) clients for \(Int(Self.floodSeconds)) s answered \(flood.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")); "
              + "correct scrapes \(latencies.count): p50 \(String(format: "%.2f", p50)) ms, p99 \(String(format: "%.2f", p99)) ms, max \(String(format: "%.2f", latencies.last!)) ms")
        #expect(statuses == [200: latencies.count], "every correct scrape answers 200: \(statuses)")
        #expect(p99 < 50, "p99 \(p99) ms")
        #expect(flood.keys.allSatisfy { [401, 503].contains($0) }, "wrong passwords get 401 or 503: \(flood)")
        #expect((flood[401] ?? 0) > 100, "the flood was answered, not stalled: \(flood)")
    }

    /// A flood that starts before the scraper's first login (a restart, an upgrade, a password
    /// rotation during a flood): nothing is remembered for the scraper yet, so its first check
    /// must wait in the queue. The queue serves clients in turn, so the flood from other
    /// addresses delays it by a few checks. Before: 0 of 15 scrapes answered (all 503).
    @Test func aScraperLogsInDuringAFloodThatBeganFirst() throws {
        let temp = try TemporaryDirectory("flood-first")
        defer { temp.remove() }
        let exporter = try Self.startExporter(in: temp)
        defer { exporter.stop() }
        let port = try exporter.listeningPort()
        let stop = Flag()
        let flooders = (0..<Self.flooders).map { index in
            Thread {
                let connection = HTTPConnection(port: port, from: "127.0.0.\(2 + index % 4)")
                var attempt = 0
                while !stop.isSet {
                    attempt += 1
                    _ = connection.get("/metrics", headers: ["Authorization": Self.basic("prometheus", "guess-\(index)-\(attempt)")])
                }
            }
        }
        flooders.forEach { $0.start() }
        defer {
            stop.set()
            while flooders.contains(where: { !$0.isFinished }) { usleep(10_000) }
        }
        Thread.sleep(forTimeInterval: 1)
        var statuses: [Int: Int] = [:]
        for _ in 0..<15 {
            statuses[HTTPConnection(port: port).get("/metrics", headers: ["Authorization": Self.basic("prometheus", "right")]), default: 0] += 1
            Thread.sleep(forTimeInterval: 0.2)
        }
        print("password flood before the first login: scrapes answered \(statuses)")
        #expect(statuses == [200: 15])
    }

    /// SIGTERM stops listening at once and does not wait for the password checks queued behind a
    /// flood (before: 6 s at cost 14, about 60 s at cost 17, the listener answering meanwhile).
    @Test func sigtermDoesNotWaitForQueuedPasswordChecks() throws {
        let temp = try TemporaryDirectory("flood-term")
        defer { temp.remove() }
        let exporter = try Self.startExporter(in: temp, cost: 14)
        let port = try exporter.listeningPort()
        let guessers = (0..<12).map { index in
            Thread { _ = HTTPConnection(port: port, from: "127.0.0.\(2 + index)").get("/metrics", headers: ["Authorization": Self.basic("prometheus", "guess-\(index)")]) }
        }
        guessers.forEach { $0.start() }
        Thread.sleep(forTimeInterval: 1)  // every check queued, the first running
        let clock = ContinuousClock()
        let started = clock.now
        let status = exporter.stop(timeout: 30)
        let took = clock.now - started
        print("SIGTERM with 12 password checks at bcrypt cost 14 queued: exited in \(took)")
        #expect(status == 0)
        #expect(took < .seconds(3), "exit took \(took)")
        #expect(connectLoopback(port: port) == nil, "nothing listens any more")
        while guessers.contains(where: { !$0.isFinished }) { usleep(10_000) }
    }
}
