import Foundation

/// nodetool cannot run here without Cassandra: tests write a small shell script in its place that
/// prints what `nodetool statusbackup` prints (`running`, `not running`), fails, or hangs.
public enum StandInNodetool {
    /// Writes an executable `/bin/sh` script with `body` at `path` and returns the path.
    @discardableResult
    public static func write(_ body: String, to path: String) throws -> String {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        guard chmod(path, 0o755) == 0 else { throw CommandError(message: "chmod \(path) failed") }
        return path
    }
}
