import Foundation

/// Builds fixture trees on the real filesystem: files with real blocks, hard links, symlinks,
/// FIFOs and sparse files.
public struct FixtureBuilder: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    /// The table id the fixtures use unless they need several.
    public static let tableID = "0123456789abcdef0123456789abcdef"

    /// A table's directory as Cassandra names it, `<dataDirectory>/<keyspace>/<table>-<id>`,
    /// relative to ``root`` (`""`: the root is the data directory); created by the first file
    /// written into it.
    public static func table(_ keyspace: String = "ks", _ table: String = "t", id: String = tableID,
                             in dataDirectory: String = "data") -> String {
        (dataDirectory.isEmpty ? "" : dataDirectory + "/") + "\(keyspace)/\(table)-\(id)"
    }

    /// A flushed SSTable's `Data.db` of `size` bytes in `table` and, as incremental backup makes
    /// it, its hard link in `backups/`; `live: false` leaves only the backup (compacted away).
    public func flushedSSTable(in table: String, generation: Int = 1, size: Int, live: Bool = true) throws {
        let name = "nb-\(generation)-big-Data.db"
        try file("\(table)/\(name)", size: size)
        try link("\(table)/backups/\(name)", to: "\(table)/\(name)")
        if !live { try FileManager.default.removeItem(atPath: full("\(table)/\(name)")) }
    }

    private func full(_ path: String) -> String { path.hasPrefix("/") ? path : "\(root)/\(path)" }

    /// Creates the directory and its parents.
    public func directory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: full(path), withIntermediateDirectories: true)
    }

    /// Writes `size` non-zero bytes (so every block is allocated), creating parent directories.
    public func file(_ path: String, size: Int) throws {
        try directory((full(path) as NSString).deletingLastPathComponent)
        guard FileManager.default.createFile(atPath: full(path), contents: Data(repeating: 0x41, count: size)) else {
            throw CommandError(message: "cannot create \(full(path))")
        }
    }

    /// Writes `text`, creating parent directories.
    public func text(_ path: String, _ text: String) throws {
        try directory((full(path) as NSString).deletingLastPathComponent)
        try text.write(toFile: full(path), atomically: false, encoding: .utf8)
    }

    /// A hard link `path` to the existing `target`.
    public func link(_ path: String, to target: String) throws {
        try directory((full(path) as NSString).deletingLastPathComponent)
        try FileManager.default.linkItem(atPath: full(target), toPath: full(path))
    }

    /// A symlink `path` pointing at `target` (not resolved).
    public func symlink(_ path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: full(path), withDestinationPath: target)
    }

    /// A named pipe: opening it for reading would block, so the scanner must never open it.
    public func fifo(_ path: String) throws {
        guard mkfifo(full(path), 0o644) == 0 else { throw CommandError(message: "mkfifo \(full(path)) failed") }
    }

    /// A sparse file: `size` bytes long, no data written (`truncate -s`).
    public func sparseFile(_ path: String, size: Int) throws {
        _ = try Command.output("truncate", ["-s", String(size), full(path)])
    }

    /// Sets the modification time (`touch -d @seconds`).
    public func touch(_ path: String, epochSeconds: Int) throws {
        _ = try Command.output("touch", ["-h", "-d", "@\(epochSeconds)", full(path)])
    }
}
