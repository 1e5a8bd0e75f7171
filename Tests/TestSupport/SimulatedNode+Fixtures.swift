import NodeSimulator

/// The simulated nodes several suites measure.
extension SimulatedNode {
    /// A JBOD node after some life: flushes, a shipping run, a snapshot, compactions (backups
    /// become compacted, held by the snapshot), later flushes compacted again (backups become
    /// exclusive), and tables with empty `backups/` on the second disk.
    /// Returns its two data directories, under `temp`.
    public static func jbodAfterSomeLife(in temp: TemporaryDirectory) throws -> [String] {
        let directories = [temp("disk1/data"), temp("disk2/data")]
        let node = SimulatedNode(dataDirectories: directories, seed: 42)
        try node.populate(flushes: 3)
        try node.shipBackups()
        for table in node.tables { try node.flush(table, in: directories[0]); try node.flush(table, in: directories[0]) }
        try node.snapshot(tag: "before-upgrade")
        for table in node.tables { try node.compact(table, in: directories[0]) }
        for table in node.tables.prefix(4) { try node.flush(table, in: directories[0]); try node.flush(table, in: directories[0]) }
        for table in node.tables.prefix(4) { try node.compact(table, in: directories[0]) }
        for table in node.tables.suffix(3) { try node.flush(table, in: directories[1]) }
        return directories
    }
}
