import Dispatch
import FoundationEssentials
import Glibc
import Synchronization

/// Reading a configuration file: one reader for every file the exporter loads (cassandra.yaml,
/// the web config and the PEM files it names), at start-up and on every reload.
///
/// Every read is bounded, as node_exporter bounds each `statfs` with its mount timeout: at most
/// ``sizeLimit`` bytes, only a regular file (a FIFO swapped in is never read), and at most
/// ``timeLimit`` of waiting. A read that does not return in time (a hung NFS or FUSE mount) is
/// left to its thread and the file is reported unreadable; no second read of that path starts
/// until it returns, so a hung file costs one thread, not one per look.
enum ConfigFile {
    /// 4 MiB: Cassandra's own cassandra.yaml with every comment is about 100 KB, a web config or a
    /// PEM chain a few KB; a file this large is a mistake, and re-reading it every few seconds
    /// would cost the node its memory.
    static let sizeLimit = 4 << 20
    /// 5 s: a local file is read in microseconds, a healthy network filesystem in milliseconds.
    static let timeLimit = Duration.seconds(5)

    /// Paths whose last read has not returned yet; touched only inside `guarded.sync` (a serial
    /// queue, which ThreadSanitizer sees, where it reported the futex under a `Mutex` as a race).
    nonisolated(unsafe) private static var reading = Set<String>()
    private static let guarded = DispatchQueue(label: "cassandra-backup-exporter.config-reads")

    /// The bytes of the file at `path`, or why they cannot be read.
    static func contents(of path: String, _ file: ConfigFileError.File) throws(ConfigFileError) -> [UInt8] {
        let started = guarded.sync { reading.insert(path).inserted }
        guard started else {
            throw ConfigFileError(file, path: path, reason: "an earlier read has not returned (a hung filesystem?)")
        }
        let result = Mutex<Result<[UInt8], ConfigFileError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let outcome = Result { () throws(ConfigFileError) in try read(path, file) }
            result.withLock { $0 = outcome }
            guarded.sync { _ = reading.remove(path) }
            done.signal()
        }
        let limit = DispatchTime.now() + .milliseconds(Int(timeLimit / .milliseconds(1)))
        guard done.wait(timeout: limit) == .success, let outcome = result.withLock({ $0 }) else {
            throw ConfigFileError(file, path: path, reason: "not read within \(timeLimit.components.seconds) s (a hung filesystem?)")
        }
        return try outcome.get()
    }

    /// The text of the file at `path` (a PEM file), or why it cannot be used: unreadable, or not
    /// UTF-8 text.
    static func text(of path: String, _ file: ConfigFileError.File) throws(ConfigFileError) -> String {
        guard let text = String(validating: try contents(of: path, file), as: UTF8.self) else {
            throw ConfigFileError(file, path: path, reason: "not UTF-8 text")
        }
        return text
    }

    /// Reads a regular file of at most ``sizeLimit`` bytes. Related calls: `open(2)` with
    /// `O_NONBLOCK` (a FIFO does not block the open), `fstat(2)` on the open descriptor.
    private static func read(_ path: String, _ file: ConfigFileError.File) throws(ConfigFileError) -> [UInt8] {
        func fail(_ reason: String) -> ConfigFileError { ConfigFileError(file, path: path, reason: reason) }
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw fail(errno == ENOENT ? "no such file" : errno == EACCES ? "permission denied" : "cannot open the file")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw fail("cannot read the file") }
        guard status.st_mode & S_IFMT == S_IFREG else { throw fail("not a regular file") }
        guard status.st_size <= sizeLimit else { throw fail("larger than \(sizeLimit >> 20) MiB") }
        // One byte more than fstat said, to see a file that grew meanwhile.
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size) + 1)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw fail("cannot read the file") }
            if count == 0 { break }
            filled += count
        }
        guard filled < bytes.count else { throw fail("changed while it was read") }
        return Array(bytes.prefix(filled))
    }

    /// Whether YAML text holds anything but blank lines, comments and document markers.
    static func hasSettings(_ bytes: [UInt8]) -> Bool {
        bytes.split(separator: UInt8(ascii: "\n")).contains { line in
            let text = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
            guard let first = text.first, first != UInt8(ascii: "#") else { return false }
            let marker = text.prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\r") }
            return !(marker.elementsEqual("---".utf8) || marker.elementsEqual("...".utf8)) || marker.count != text.count
        }
    }
}

/// A configuration file format: it says how its bytes parse; reading the file and parsing text
/// are the same for every format.
public protocol ConfigFileFormat {
    /// How errors name the file.
    static var file: ConfigFileError.File { get }
    /// Parses the file's bytes; `path` names it in errors (and anchors relative paths in it).
    static func parse(bytes: [UInt8], path: String) throws(ConfigFileError) -> Self
}

extension ConfigFileFormat {
    /// Reads and parses the file at `path`.
    /// - Throws: ``ConfigFileError`` naming the file and what is wrong with it.
    public static func load(path: String) throws(ConfigFileError) -> Self {
        try parse(bytes: ConfigFile.contents(of: path, file), path: path)
    }

    /// Reads and parses the file at `path` after start-up: a file with no settings at all (empty,
    /// or only comments) is refused, as it is what an editor or a configuration tool leaves for a
    /// moment while it writes in place, never a wish for "nothing configured".
    /// - Throws: ``ConfigFileError`` naming the file and what is wrong with it.
    public static func reload(path: String) throws(ConfigFileError) -> Self {
        let bytes = try ConfigFile.contents(of: path, file)
        guard ConfigFile.hasSettings(bytes) else {
            throw ConfigFileError(file, path: path, reason: "empty (no settings; the last good ones stay in force)")
        }
        return try parse(bytes: bytes, path: path)
    }

    /// Parses text; see ``parse(bytes:path:)``.
    public static func parse(_ text: String, path: String) throws(ConfigFileError) -> Self {
        try parse(bytes: Array(text.utf8), path: path)
    }
}
