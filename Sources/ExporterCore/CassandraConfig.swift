import Foundation
import Yams

/// The settings the exporter reads from cassandra.yaml.
public struct CassandraConfig: Sendable, Equatable {
    /// `incremental_backups`; Cassandra's default is false.
    public let incrementalBackups: Bool
    /// `data_file_directories`; empty when not set.
    public let dataFileDirectories: [String]

    public init(incrementalBackups: Bool, dataFileDirectories: [String]) {
        self.incrementalBackups = incrementalBackups
        self.dataFileDirectories = dataFileDirectories
    }

    /// Default locations: `$CASSANDRA_CONF/cassandra.yaml`, else `/etc/cassandra/cassandra.yaml`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let directory = environment["CASSANDRA_CONF"], !directory.isEmpty {
            return directory + "/cassandra.yaml"
        }
        return "/etc/cassandra/cassandra.yaml"
    }

    /// Reads and parses the file at `path`.
    /// - Throws: ``CassandraConfigError`` naming the file and what is wrong with it.
    public static func load(path: String) throws(CassandraConfigError) -> CassandraConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = !FileManager.default.fileExists(atPath: path) ? "no such file"
                : !FileManager.default.isReadableFile(atPath: path) ? "permission denied" : "cannot read the file"
            throw CassandraConfigError(path: path, reason: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CassandraConfigError(path: path, reason: "not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Parses cassandra.yaml text.
    ///
    /// Cassandra reads the file with SnakeYAML (YAML 1.1) into typed fields: a boolean field takes
    /// `true/false/yes/no/on/off` in any case, quoted or not, and start-up fails on anything else.
    /// This parser accepts and refuses the same.
    public static func parse(_ text: String, path: String) throws(CassandraConfigError) -> CassandraConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw CassandraConfigError(path: path, reason: malformedYAMLReason(error))
        }
        guard let root else { return CassandraConfig(incrementalBackups: false, dataFileDirectories: []) }
        guard let mapping = root.mapping else {
            throw CassandraConfigError(path: path, reason: "the top level is not a mapping of settings")
        }

        var incremental = false
        if let node = mapping["incremental_backups"], node.null == nil {
            guard let text = node.scalar?.string, let value = yamlBoolean(text) else {
                throw CassandraConfigError(path: path, reason: "incremental_backups must be true or false, found \(describe(node))")
            }
            incremental = value
        }

        var directories: [String] = []
        if let node = mapping["data_file_directories"], node.null == nil {
            guard let sequence = node.sequence else {
                throw CassandraConfigError(path: path, reason: "data_file_directories must be a list of paths, found \(describe(node))")
            }
            for item in sequence {
                guard let directory = item.scalar?.string, !directory.isEmpty else {
                    throw CassandraConfigError(path: path, reason: "data_file_directories holds a non-path entry \(describe(item))")
                }
                directories.append(directory)
            }
        }
        return CassandraConfig(incrementalBackups: incremental, dataFileDirectories: directories)
    }

    private static func yamlBoolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on": true
        case "false", "no", "off": false
        default: nil
        }
    }

    private static func describe(_ node: Node) -> String {
        if let scalar = node.scalar { return "\"\(scalar.string)\"" }
        return node.sequence != nil ? "a list" : "a mapping"
    }
}

/// cassandra.yaml could not be used.
public struct CassandraConfigError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cassandra config \(path): \(reason)".escapingLineBreaks }
}
