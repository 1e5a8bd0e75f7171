import Foundation
import NodeSimulator
import Testing
import TestSupport

/// The exporter keeps answering a scraper while many clients hold connections open idle or
/// dribble a request one byte at a time (slowloris), and closes connections that stay idle.
@Suite(.serialized) struct HostileClientsTests {
    static let idleConnections = 1000
    static let slowClients = 50

    /// The `index`th of 50 loopback hosts the idle and slow clients come from, 20 idle each (below
    /// the per-address limit): many clients, none of them the scraper at 127.0.0.1.
    static func host(_ index: Int) -> String { "127.0.1.\(index % 50 + 1)" }

    /// Raises this process's open-file limit to the hard limit (the connections are file descriptors).
    static func raiseFileLimit(to needed: UInt) throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < needed {
            limit.rlim_cur = min(max(needed, limit.rlim_cur), limit.rlim_max)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        try #require(limit.rlim_cur >= needed, "open-file limit \(limit.rlim_cur) is below \(needed)")
    }

    /// Sends a request line on each connection, then one header byte on each at every period,
    /// on a thread of its own, until the returned flag is set (a slowloris client).
    static func dribble(on connections: [Int32], everyMicroseconds period: UInt32) -> Flag {
        let stop = Flag()
        Thread {
            for descriptor in connections { _ = "GET /metrics HTTP/1.1\r\n".withCString { send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
            while !stop.isSet {
                for descriptor in connections { _ = "X".withCString { send(descriptor, $0, 1, Int32(MSG_NOSIGNAL)) } }
                usleep(period)
            }
        }.start()
        return stop
    }

    @Test func scraperIsAnsweredWhileIdleAndSlowClientsHoldConnections() throws {
        try Self.raiseFileLimit(to: 4096)
        let temp = try TemporaryDirectory("hostile")
        defer { temp.remove() }
        try SimulatedNode(dataDirectories: [temp("data")], seed: 5).populate(flushes: 2)
        let exporter = try RunningProcess(BuiltProducts.path("cassandra-backup-exporter"), [
            "--web.listen-address", "127.0.0.1:0", "--cassandra.data-dir", temp("data"), "--collector.interval", "1s",
            "--web.connection-timeout", "3s",
        ])
        defer { exporter.stop() }
        let port = try exporter.listeningPort()

        var idle: [Int32] = []
        for _ in 0..<Self.idleConnections {
            if let descriptor = connectLoopback(port: port, from: Self.host(idle.count)) { idle.append(descriptor) }
        }
        #expect(idle.count == Self.idleConnections)
        defer { idle.forEach { close($0) } }

        // Slowloris: each client sends a request line, then one header byte every 100 ms.
        let slow = (0..<Self.slowClients).compactMap { connectLoopback(port: port, from: Self.host($0)) }
        let stop = Self.dribble(on: slow, everyMicroseconds: 100_000)
        defer { stop.set(); slow.forEach { close($0) } }

        var slowest = 0.0
        for _ in 0..<30 {
            let started = Date()
            let result = try Command.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "1", "http://127.0.0.1:\(port)/metrics"])
            slowest = max(slowest, Date().timeIntervalSince(started))
            #expect(result.stdout == "200", "scrape answered \(result.stdout) with \(idle.count) idle and \(slow.count) slow clients")
            usleep(50_000)
        }
        #expect(slowest < 1.0, "slowest scrape took \(slowest) s")

        // Idle connections are closed by the server after --web.connection-timeout (3 s).
        Thread.sleep(forTimeInterval: 4.5)
        var closedByServer = 0
        for descriptor in idle.prefix(100) {
            var byte: UInt8 = 0
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if recv(descriptor, &byte, 1, 0) == 0 { closedByServer += 1 }
        }
        #expect(closedByServer == 100, "\(closedByServer) of 100 idle connections were closed after the timeout")
    }

    /// One client opening more connections than the server holds, each dribbling a request a byte
    /// at a time (so the idle timeout never closes them), gets --web.max-connections-per-address
    /// of them; a scraper on another address is answered throughout. Before the limit, 0 of the
    /// scrapes were answered while the hog held every one of the 2,048 slots.
    @Test func oneClientCannotTakeEveryConnection() throws {
        let hogConnections = 2100
        try Self.raiseFileLimit(to: UInt(hogConnections) + 1024)
        let temp = try TemporaryDirectory("hog")
        defer { temp.remove() }
        try SimulatedNode(dataDirectories: [temp("data")], seed: 6).populate(flushes: 1)
        let exporter = try RunningProcess(BuiltProducts.path("cassandra-backup-exporter"), [
            "--web.listen-address", "127.0.0.1:0", "--cassandra.data-dir", temp("data"),
        ])
        defer { exporter.stop() }
        let port = try exporter.listeningPort()
        let hog = (0..<hogConnections).compactMap { _ in connectLoopback(port: port, from: "127.0.0.2") }
        defer { hog.forEach { close($0) } }
        #expect(hog.count == hogConnections, "the kernel accepts every connection; the server closes what it does not hold")
        let stop = Self.dribble(on: hog, everyMicroseconds: 200_000)
        defer { stop.set() }
        Thread.sleep(forTimeInterval: 1)
        var answered = 0
        for _ in 0..<15 {
            let result = try Command.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", "http://127.0.0.1:\(port)/metrics"])
            if result.stdout == "200" { answered += 1 }
            usleep(100_000)
        }
        print("connection hog: \(hogConnections) connections from one address; scrapes answered \(answered) of 15")
        #expect(answered == 15)
        let held = try Command.run("ss", ["-Htn", "state", "established", "( sport = :\(port) and dst 127.0.0.2 )"]).stdout
            .split(separator: "\n").count
        #expect(held <= 64, "the server holds \(held) of the hog's connections (limit 64)")
    }
}
