import Glibc
import SystemPackage

/// Writes an exposition for node_exporter's textfile collector the way such files must be
/// written: to a temporary file in the same directory, flushed to disk, then renamed over the
/// target, so the collector never reads half a file.
///
/// The file is made readable by everyone (0644): node_exporter runs as its own user and the
/// content (paths, table names, sizes) is what `/metrics` serves anyway. The temporary name starts
/// with a dot and does not end in `.prom`, so the collector skips it; its random part comes from
/// `mkstemp(3)`, so no file left by an earlier run that was killed (in a container the exporter
/// is always PID 1) can block a later one, and it is removed on every failure path.
///
/// Related system calls: `mkstemp(3)` (`O_EXCL`), `fsync(2)`, `rename(2)`.
public enum TextfileWriter {
    /// The mode of the written file.
    public static let mode: mode_t = 0o644

    /// Replaces the file at `path` with `parts`, joined, atomically.
    /// - Throws: ``TextfileError`` naming the path and the failed step; the target is then unchanged.
    public static func write(_ parts: [String], to path: String) throws(TextfileError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty else { throw TextfileError(path: path, step: "name", code: EISDIR) }
        var template = Array("\(directory)/.\(name).XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw TextfileError(path: "\(directory)/.\(name).XXXXXX", step: "create", code: errno) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var written = false
        defer { if !written { unlink(temporary) } }
        let outcome: Int32? = {
            defer { close(fd) }
            guard fchmod(fd, mode) == 0 else { return errno }  // the umask may have narrowed it
            do {
                for part in parts { _ = try FileDescriptor(rawValue: fd).writeAll(part.utf8) }
            } catch let error as Errno {
                return error.rawValue
            } catch {
                return EIO
            }
            return fsync(fd) == 0 ? nil : errno
        }()
        if let outcome { throw TextfileError(path: temporary, step: "write", code: outcome) }
        guard rename(temporary, path) == 0 else { throw TextfileError(path: path, step: "rename", code: errno) }
        written = true
        // The rename itself survives a crash once the directory is flushed too.
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }
}

/// The textfile could not be written.
public struct TextfileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    /// `create`, `write` or `rename`.
    public let step: String
    public let code: Int32

    public var description: String { "cannot \(step) \(path): \(String(cString: strerror(code)))".escapingLineBreaks }
}
