import BackupScan
import Synchronization

/// A family with lines per table: its name, HELP text, and how to write one table's lines given
/// the table's label text and whether user snapshots get per-(table, tag) series.
struct TableColumn: Sendable {
    let name: String
    let help: String
    let lines: @Sendable (_ table: TableMeasurement, _ labels: String, _ snapshotDetail: Bool) -> String
}

/// The sample lines of every table, kept from one exposition to the next: a table whose
/// measurement did not change is not rendered again, so that on a node where nothing moved the
/// per-table part of an exposition is copied, not rebuilt. One per stream of expositions (the
/// daemon's ``Publisher`` keeps one); tables that are gone are dropped at each use.
public final class TableLineCache: Sendable {
    /// One table's lines: a chunk per column, each sorted, and the label text they start with.
    /// A class: kept from render to render, so a copy is one reference count.
    final class Entry: Sendable {
        let measurement: TableMeasurement
        let snapshotDetail: Bool
        let labels: String
        let chunks: [String]

        init(measurement: TableMeasurement, snapshotDetail: Bool, labels: String, chunks: [String]) {
            self.measurement = measurement
            self.snapshotDetail = snapshotDetail
            self.labels = labels
            self.chunks = chunks
        }
    }

    /// The tables' lines in exposition order, and their generation: it changes whenever a
    /// table's lines do, so equal generations of one cache mean equal lines.
    struct Lines {
        let entries: [Entry]
        let generation: Int
    }

    private struct Kept {
        var byKey: [TableKey: Entry] = [:]
        /// The last result, in exposition order.
        var ordered: [Entry] = []
        /// The families made from the last result (``stableFamilies(_:)``).
        var families: [MetricFamily]?
        /// Counts the changes of the result: the same generation, the same lines.
        var generation = 0
    }

    private let kept = Mutex(Kept())

    public init() {}

    /// The tables' lines for `columns`, in exposition order: by label text, so that the chunks
    /// of a family joined in this order are its lines sorted (label texts of two tables differ
    /// before either ends: each ends in its 32-digit `table_id`).
    /// `detail`: per table, whether its user snapshots get per-(table, tag) series (``SnapshotDetailSelection``).
    func lines(of tables: [TableMeasurement], detail: [Bool], columns: [TableColumn]) -> Lines {
        let (previous, ordered, generation) = kept.withLock { ($0.byKey, $0.ordered, $0.generation) }
        // Every table kept: the same tables, so the same order (checked before anything is built).
        if tables.count == previous.count,
           zip(tables, detail).allSatisfy({ table, detail in
               previous[table.key].map { $0.snapshotDetail == detail && $0.measurement == table } == true
           }) {
            return Lines(entries: ordered, generation: generation)
        }
        var byKey: [TableKey: Entry] = [:]
        byKey.reserveCapacity(tables.count)
        var entries: [Entry] = []
        entries.reserveCapacity(tables.count)
        for (table, detail) in zip(tables, detail) {
            let entry: Entry
            if let old = previous[table.key], old.snapshotDetail == detail, old.measurement == table {
                entry = old
            } else {
                let labels = ExporterMetrics.tableLabelText(table.key)
                entry = Entry(measurement: table, snapshotDetail: detail, labels: labels,
                              chunks: columns.map { $0.lines(table, labels, detail) })
            }
            byKey[table.key] = entry
            entries.append(entry)
        }
        entries.sort { $0.labels < $1.labels }
        return kept.withLock { kept in
            kept = Kept(byKey: byKey, ordered: entries, families: nil, generation: kept.generation + 1)
            return Lines(entries: entries, generation: kept.generation)
        }
    }

    /// The families made from the tables' lines (and sums over the tables): kept while
    /// ``lines(of:detail:columns:)`` keeps every table, else made again by `make`.
    func stableFamilies(_ make: () -> [MetricFamily]) -> [MetricFamily] {
        if let families = kept.withLock({ $0.families }) { return families }
        let families = make()
        kept.withLock { $0.families = families }
        return families
    }

    /// Tables whose lines are kept.
    public var count: Int { kept.withLock { $0.byKey.count } }
}
