import Foundation

/// This repository's checkout, for tests that read or run its files.
public enum Repository {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The full path of a file given relative to the repository's top level.
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The exporter's version, as `scripts/version.sh` reads it from the one place it is written.
    public static var version: String {
        get throws { try Command.output("bash", [path("scripts/version.sh")]).trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}
