import FoundationEssentials

/// Reading a configuration file: one reader for every file the exporter loads (cassandra.yaml,
/// the web config and the PEM files it names), at start-up and on every reload.
enum ConfigFile {
    /// The bytes of the file at `path`, or why they cannot be read.
    static func contents(of path: String, _ file: ConfigFileError.File) throws(ConfigFileError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = !FileManager.default.fileExists(atPath: path) ? "no such file"
                : !FileManager.default.isReadableFile(atPath: path) ? "permission denied" : "cannot read the file"
            throw ConfigFileError(file, path: path, reason: reason)
        }
        return [UInt8](data)
    }

    /// The text of the file at `path` (a PEM file), or why it cannot be used: unreadable, or not
    /// UTF-8 text.
    static func text(of path: String, _ file: ConfigFileError.File) throws(ConfigFileError) -> String {
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
        try parse(bytes: ConfigFile.contents(of: path, file), path: path)
    }

    /// Parses text; see ``parse(bytes:path:)``.
    public static func parse(_ text: String, path: String) throws(ConfigFileError) -> Self {
        try parse(bytes: Array(text.utf8), path: path)
    }
}
