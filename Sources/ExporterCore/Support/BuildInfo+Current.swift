import Exposition

extension BuildInfo {
    /// This binary's build information. `revision` is the git commit recorded at build time by
    /// the `scripts/` build commands (`Plugins/RevisionPlugin`).
    public static let current = BuildInfo(version: "0.1.0", revision: buildRevision, swiftVersion: swiftCompilerVersion)

    /// One line for `--version`.
    public var versionLine: String {
        "cassandra-backup-exporter, version \(version) (revision: \(revision)), swift \(swiftVersion)"
    }
}

/// The Swift compiler's major.minor version.
private let swiftCompilerVersion: String = {
    #if compiler(>=6.4)
    "6.4+"
    #elseif compiler(>=6.3)
    "6.3"
    #elseif compiler(>=6.2)
    "6.2"
    #elseif compiler(>=6.1)
    "6.1"
    #else
    "6.0"
    #endif
}()
