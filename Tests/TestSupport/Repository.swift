import Foundation

/// This repository's checkout, for tests that read or run its files.
public enum Repository {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The full path of a file given relative to the repository's top level.
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}
