import Foundation

/// Facts about a set of files read by `find -printf` (GNU findutils), independent of the
/// exporter's own code. Only regular files are listed (`-type f`); `find` does not follow
/// symlinks by default.
public struct FileOracle {
    public struct File: Hashable {
        public let device: String
        public let inode: String
        public let size: UInt64
        /// `%b`: 512-byte blocks.
        public let blocks: UInt64
        public let links: UInt64
        public let modified: Double
        public let name: String
    }

    public let files: [File]
    /// The `find` arguments each listing came from, for figures computed by other tools.
    private let listings: [[String]]

    /// Regular files under `path`, recursively, or only directly in it with `depth1`.
    public init(_ path: String, depth1: Bool = false) throws {
        guard FileManager.default.fileExists(atPath: path) else { files = []; listings = []; return }
        let selection = [path] + (depth1 ? ["-maxdepth", "1"] : []) + ["-type", "f"]
        listings = [selection]
        let arguments = selection + ["-printf", "%D %i %s %b %n %T@ %f\\n"]
        let output = try Command.output("find", arguments)
        files = output.split(separator: "\n").map { line in
            let fields = line.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: false)
            return File(device: String(fields[0]), inode: String(fields[1]), size: UInt64(fields[2])!,
                        blocks: UInt64(fields[3])!, links: UInt64(fields[4])!, modified: Double(fields[5])!,
                        name: String(fields[6]))
        }
    }

    private init(files: [File], listings: [[String]]) {
        self.files = files
        self.listings = listings
    }

    /// The union of two listings.
    public static func + (lhs: FileOracle, rhs: FileOracle) -> FileOracle {
        FileOracle(files: lhs.files + rhs.files, listings: lhs.listings + rhs.listings)
    }

    private var uniqueInodes: [File] {
        var seen = Set<String>()
        return files.filter { seen.insert("\($0.device):\($0.inode)").inserted }
    }

    public var count: UInt64 { UInt64(files.count) }
    public var dataFiles: UInt64 { UInt64(files.filter { $0.name.hasSuffix("-Data.db") }.count) }
    public var apparentBytes: UInt64 { uniqueInodes.reduce(0) { $0 + $1.size } }
    public var allocatedBytes: UInt64 { uniqueInodes.reduce(0) { $0 + $1.blocks * 512 } }
    public var oldest: Double? { files.map(\.modified).min() }
    public var newest: Double? { files.map(\.modified).max() }

    /// Allocated bytes of the inodes that have no link outside these listings, computed by
    /// coreutils rather than Swift: `find -printf` gives each link's inode, link count (`%n`) and
    /// blocks; `sort | uniq -c` counts the links listed per inode; `awk` sums the blocks of the
    /// inodes listed exactly as many times as they have links. An inode listed more often than
    /// its link count means an inconsistent listing, and throws.
    public func exclusiveBytes() throws -> UInt64 {
        guard !listings.isEmpty else { return 0 }
        let quoted = { (word: String) in "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let finds = listings.map { "find " + $0.map(quoted).joined(separator: " ") + " -printf '%D:%i %n %b\\n'" }
        let script = "set -o pipefail; { " + finds.joined(separator: "; ") + "; } | sort | uniq -c"
            + " | awk '$1 > $3 { bad = 1 } $1 == $3 { sum += $4 * 512 } END { if (bad) exit 2; printf \"%d\\n\", sum }'"
        let result = try Command.run("bash", ["-c", script])
        guard result.status == 0, let bytes = UInt64(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CommandError(message: "exclusive bytes of \(listings): status \(result.status) \(result.stderr)")
        }
        return bytes
    }

    /// Allocated bytes of inodes not listed in `other`.
    public func allocatedBytes(notIn other: FileOracle) -> UInt64 {
        let keys = Set(other.files.map { "\($0.device):\($0.inode)" })
        return uniqueInodes.filter { !keys.contains("\($0.device):\($0.inode)") }.reduce(0) { $0 + $1.blocks * 512 }
    }
}

/// `du` over a whole directory, minus the directories' own sizes, for cross-checking totals.
public enum DiskUsage {
    /// Bytes of regular files and everything else `du` counts, each inode once: `du -s -B1`
    /// (allocated) or `du -s -b` (apparent) minus what `find -type d` says the directories take.
    public static func fileBytes(_ path: String, apparent: Bool) throws -> UInt64 {
        let du = try Command.output("du", ["-s", apparent ? "-b" : "-B1", path])
        let total = UInt64(du.split(separator: "\t")[0])!
        let directories = try Command.output("find", [path, "-type", "d", "-printf", apparent ? "%s\\n" : "%b\\n"])
        let directoryBytes = directories.split(separator: "\n").reduce(UInt64(0)) { $0 + UInt64($1)! * (apparent ? 1 : 512) }
        return total - directoryBytes
    }
}

/// One table directory as `find` sees it: the one home of which files count as the table's
/// backups, live files and snapshots, for every test that checks a table against the oracle.
public struct TableOracle {
    /// Regular files under `backups/`, recursively.
    public let backups: FileOracle
    /// The live files: directly in the table directory and in each `.<index>` directory.
    public let live: FileOracle
    /// Every snapshot's files together, and the tags.
    public let allSnapshots: FileOracle
    public let tags: [String]

    public init(_ directory: String) throws {
        backups = try FileOracle(directory + "/backups")
        var live = try FileOracle(directory, depth1: true)
        for index in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where index.hasPrefix(".") {
            live = live + (try FileOracle("\(directory)/\(index)", depth1: true))
        }
        self.live = live
        allSnapshots = try FileOracle(directory + "/snapshots")
        tags = ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/snapshots")) ?? []).sorted()
    }
}
