import BackupScan
import Exposition
import Foundation
import Testing
import TestSupport

/// Lines kept from one exposition to the next are the lines a fresh render writes, in the order
/// a full sort gives, and a changed table's lines are written anew.
@Suite struct TableLineCacheTests {
    static let build = BuildInfo(version: "1.2.3", revision: "abc", swiftVersion: "6.3")

    /// A tree whose table names sort differently as label text than as raw names (a quote, a
    /// backslash, a space, a dash, non-ASCII), each with a snapshot.
    private func tree(_ temp: TemporaryDirectory) throws -> FixtureBuilder {
        let tree = FixtureBuilder(root: temp.path)
        for (index, name) in ["a b", "a\"b", "a\\b", "a-b", "ab", "\u{E9}t\u{E9}", "A"].enumerated() {
            let table = FixtureBuilder.table("ks", name, id: String(format: "%032x", index + 1), in: "")
            try tree.flushedSSTable(in: table, size: 4096 * (index + 1))
            try tree.link("\(table)/snapshots/truncated-1700000000000-x/nb-1-big-Data.db", to: "\(table)/nb-1-big-Data.db")
        }
        return tree
    }

    /// The exposition and its part drawn from the tables (the rest, such as the filesystem's
    /// free bytes, may move between two scans of the same tree).
    private func render(_ measurement: NodeMeasurement, _ lines: TableLineCache) -> (stable: String, text: String) {
        var status = ExporterStatus(build: Self.build)
        status.lastScanSucceeded = true
        let parts = TextFormat.renderParts(ExporterMetrics.families(measurement: measurement, status: status, lines: lines))
        return (parts.stable, parts.stable + parts.volatile)
    }

    @Test func keptLinesAreAFreshRenderAndSorted() throws {
        let temp = try TemporaryDirectory("lines")
        defer { temp.remove() }
        let tree = try tree(temp)
        let scanner = DataDirectoryScanner(dataDirectories: [temp.path])
        let cache = TableLineCache()
        let first = render(try scanner.scan(), cache)
        #expect(cache.count == 7)
        #expect(render(try scanner.scan(), cache).stable == first.stable, "unchanged tables: the same text")
        #expect(render(try scanner.scan(), TableLineCache()).stable == first.stable, "kept lines are what a fresh render writes")

        // Within each family, lines in the order a full sort of them gives (the text format's order).
        var family: [String] = []
        for line in first.text.split(separator: "\n").map(String.init) + ["# end"] {
            if line.hasPrefix("#") {
                #expect(family == family.sorted(), "\(family.first ?? "")")
                family = []
            } else {
                family.append(line)
            }
        }

        // One table changes: its lines change, the others' stay.
        let changed = FixtureBuilder.table("ks", "ab", id: String(format: "%032x", 5), in: "")
        try tree.flushedSSTable(in: changed, generation: 2, size: 8192)
        let second = render(try scanner.scan(), cache)
        let files = { (text: String) in parseExposition(text).filter { $0.name == "cassandra_backup_files" } }
        for sample in files(second.text) {
            let before = files(first.text).first { $0.labels == sample.labels }?.value
            #expect(sample.value == (sample.labels["table"] == "ab" ? 2 : before), "\(sample.labels)")
        }
        #expect(second.stable == render(try scanner.scan(), TableLineCache()).stable)
        let lint = try Command.run("promtool", ["check", "metrics"], stdin: second.text)
        #expect(lint.status == 0 && lint.stdout.isEmpty && lint.stderr.isEmpty, "\(lint.stdout)\(lint.stderr)")
    }

    /// With snapshot detail switched, kept lines are not reused: the user snapshot appears.
    @Test func theSnapshotDetailSettingIsPartOfWhatIsKept() throws {
        let temp = try TemporaryDirectory("lines")
        defer { temp.remove() }
        let tree = FixtureBuilder(root: temp.path)
        let table = FixtureBuilder.table(in: "")
        try tree.flushedSSTable(in: table, size: 4096)
        try tree.link("\(table)/snapshots/weekly/nb-1-big-Data.db", to: "\(table)/nb-1-big-Data.db")
        let measurement = try DataDirectoryScanner(dataDirectories: [temp.path]).scan()
        let cache = TableLineCache()
        var status = ExporterStatus(build: Self.build)
        let plain = TextFormat.render(ExporterMetrics.families(measurement: measurement, status: status, lines: cache).all)
        status.snapshotDetail = true
        let detailed = TextFormat.render(ExporterMetrics.families(measurement: measurement, status: status, lines: cache).all)
        #expect(!plain.contains("cassandra_backup_snapshot_files{") && detailed.contains("cassandra_backup_snapshot_files{"))
    }
}
