import BackupScan
import Testing

/// Table directory names as Cassandra writes them (`Directories.java`: the table name, a dash,
/// the table id as 32 lowercase hex digits), and the other entries a keyspace directory holds.
@Suite struct TableDirectoryNameTests {
    @Test(arguments: [
        ("orders-5a1c395e32b611eeb5ad0242ac120002", "orders", "5a1c395e32b611eeb5ad0242ac120002"),
        ("local-7ad54392bcdd35a684174e047860b377", "local", "7ad54392bcdd35a684174e047860b377"),
        ("Table_2-0123456789abcdef0123456789abcdef", "Table_2", "0123456789abcdef0123456789abcdef"),
        // The table name itself is not checked: what matters is the id at the end.
        ("a-b-0123456789abcdef0123456789abcdef", "a-b", "0123456789abcdef0123456789abcdef"),
    ])
    func splitsTableAndID(name: String, table: String, id: String) throws {
        let parsed = try #require(TableDirectoryName(name))
        #expect(parsed.table == table && parsed.tableID == id)
    }

    @Test(arguments: [
        "orders",                                   // 2.1 and earlier: no id
        "-0123456789abcdef0123456789abcdef",        // no table name
        "orders-0123456789ABCDEF0123456789ABCDEF",  // Cassandra writes lowercase
        "orders-0123456789abcdef0123456789abcde",   // 31 digits
        "orders_0123456789abcdef0123456789abcdef",  // no dash
        "orders-0123456789abcdef0123456789abcdeg",
        "backups", "snapshots", ".orders_idx", "",
    ])
    func refusesWhatIsNotATableDirectory(name: String) {
        #expect(TableDirectoryName(name) == nil)
    }
}
