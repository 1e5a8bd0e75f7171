import FoundationEssentials

/// A configuration file that could not be used. The reason names a line and column and the
/// setting, never the file's content.
public struct ConfigFileError: Error, CustomStringConvertible, Equatable {
    /// Which file, as errors name it.
    public enum File: String, Sendable {
        case cassandra = "cassandra config"
        case web = "web config"
    }

    public let file: File
    public let path: String
    public let reason: String

    public init(_ file: File, path: String, reason: String) {
        self.file = file
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(file.rawValue) \(path): \(reason)".escapingLineBreaks }

    /// The bytes of the file at `path`, or why they cannot be read.
    static func contents(of path: String, _ file: File) throws(ConfigFileError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = !FileManager.default.fileExists(atPath: path) ? "no such file"
                : !FileManager.default.isReadableFile(atPath: path) ? "permission denied" : "cannot read the file"
            throw ConfigFileError(file, path: path, reason: reason)
        }
        return [UInt8](data)
    }

    /// The text of the file at `path` (a PEM file), or why it cannot be used: unreadable, or not
    /// UTF-8 text.
    static func text(of path: String, _ file: File) throws(ConfigFileError) -> String {
        guard let text = String(validating: try contents(of: path, file), as: UTF8.self) else {
            throw ConfigFileError(file, path: path, reason: "not UTF-8 text")
        }
        return text
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
        try parse(bytes: ConfigFileError.contents(of: path, file), path: path)
    }

    /// Parses text; see ``parse(bytes:path:)``.
    public static func parse(_ text: String, path: String) throws(ConfigFileError) -> Self {
        try parse(bytes: Array(text.utf8), path: path)
    }
}
