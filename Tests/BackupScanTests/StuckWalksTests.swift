@testable import BackupScan
import Testing

/// A place stays stuck until its call returns, per data directory and table.
@Suite struct StuckWalksTests {
    @Test func aPlaceStaysUntilItsCallReturns() {
        let stuck = StuckWalks()
        let table = TableKey(dataDirectory: "/d1", keyspace: "ks", table: "t", tableID: "0123456789abcdef0123456789abcdef")
        let other = TableKey(dataDirectory: "/d2", keyspace: "ks", table: "t", tableID: "0123456789abcdef0123456789abcdef")
        stuck.mark(.table(table), since: 100)
        stuck.mark(.table(other), since: 101)
        stuck.mark(.dataDirectory("/d1"), since: 102)
        #expect(stuck.contains(.table(table)) && stuck.contains(.dataDirectory("/d1")))
        #expect(stuck.stuckTables(in: "/d1") == 1 && stuck.stuckTables(in: "/d2") == 1 && stuck.stuckTables(in: "/d3") == 0)
        #expect(stuck.snapshot == [.table(table): 100, .table(other): 101, .dataDirectory("/d1"): 102])
        #expect(StuckWalks.Place.table(other).dataDirectory == "/d2")
        stuck.clear(.table(table))
        #expect(!stuck.contains(.table(table)) && stuck.stuckTables(in: "/d1") == 0 && stuck.contains(.dataDirectory("/d1")))
    }
}
