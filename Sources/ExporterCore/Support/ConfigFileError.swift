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
}
