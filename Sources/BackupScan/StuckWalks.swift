import Synchronization

/// Data directories and tables whose last call into the filesystem has not returned within the
/// walk time limit (a hung NFS or FUSE mount, a dying disk), kept across scans.
///
/// As node_exporter's `stuckMounts`: a place stays here, and no new thread is sent into it, until
/// the stuck call returns; the thread that made it then takes it out, and the next scan measures
/// it normally.
public final class StuckWalks: Sendable {
    /// Where a walk is stuck.
    public enum Place: Hashable, Sendable {
        /// Opening, listing or `statvfs` of a configured data directory (or listing its keyspaces).
        case dataDirectory(String)
        /// The walk of one table directory.
        case table(TableKey)

        /// The configured data directory the place is in.
        public var dataDirectory: String {
            switch self {
            case .dataDirectory(let path): path
            case .table(let key): key.dataDirectory
            }
        }
    }

    /// Stuck places and when their walk started, in seconds since the epoch.
    private let places = Mutex<[Place: Double]>([:])

    public init() {}

    func mark(_ place: Place, since started: Double) {
        places.withLock { $0[place] = started }
    }

    /// The stuck call at `place` has returned.
    func clear(_ place: Place) {
        _ = places.withLock { $0.removeValue(forKey: place) }
    }

    func contains(_ place: Place) -> Bool {
        places.withLock { $0[place] != nil }
    }

    /// Stuck table walks in `dataDirectory`.
    func stuckTables(in dataDirectory: String) -> Int {
        places.withLock { $0.keys.count { if case .table(let key) = $0 { key.dataDirectory == dataDirectory } else { false } } }
    }

    /// Every stuck place with the start of its walk.
    public var snapshot: [Place: Double] {
        places.withLock { $0 }
    }
}
