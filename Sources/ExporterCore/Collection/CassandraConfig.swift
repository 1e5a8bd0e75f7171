import FoundationEssentials
import YAMLTree

/// The settings the exporter reads from cassandra.yaml.
public struct CassandraConfig: ConfigFileFormat, Sendable, Equatable {
    /// `incremental_backups`; Cassandra's default is false.
    public let incrementalBackups: Bool
    /// `data_file_directories`; empty when not set.
    public let dataFileDirectories: [String]
    /// `local_system_data_file_directory` (4.0+): where the local system keyspaces (`system`,
    /// `system_schema`) live when set; `nil` when not set (they then live in the first data directory).
    public let localSystemDataFileDirectory: String?

    public init(incrementalBackups: Bool, dataFileDirectories: [String], localSystemDataFileDirectory: String? = nil) {
        self.incrementalBackups = incrementalBackups
        self.dataFileDirectories = dataFileDirectories
        self.localSystemDataFileDirectory = localSystemDataFileDirectory
    }

    /// Every directory Cassandra keeps tables in: `data_file_directories` (`fallback` when not
    /// set), then `local_system_data_file_directory` when set and not already listed.
    public func tableDirectories(fallback: String) -> [String] {
        let data = dataFileDirectories.isEmpty ? [fallback] : dataFileDirectories
        guard let local = localSystemDataFileDirectory, !data.contains(local) else { return data }
        return data + [local]
    }

    /// Default locations: `$CASSANDRA_CONF/cassandra.yaml`, else `/etc/cassandra/cassandra.yaml`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let directory = environment["CASSANDRA_CONF"], !directory.isEmpty {
            return directory + "/cassandra.yaml"
        }
        return "/etc/cassandra/cassandra.yaml"
    }

    public static let file = ConfigFileError.File.cassandra

    /// Parses cassandra.yaml as Cassandra does.
    ///
    /// Cassandra loads the file with SnakeYAML's default options (`YamlConfigurationLoader`):
    /// YAML 1.1, one document, and a key written twice is allowed, the last one winning at any
    /// depth. The fields are typed: a boolean takes `true/false/yes/no/on/off` in any case, quoted
    /// or not, or the explicit tag `!!bool`; anything else (`1`, a list, `!!int true`, `!!str
    /// yes`) stops Cassandra's start-up, and is refused here too. A null value keeps the default.
    /// Keys the exporter does not read are not checked.
    public static func parse(bytes: [UInt8], path: String) throws(ConfigFileError) -> CassandraConfig {
        func fail(_ reason: String) -> ConfigFileError { ConfigFileError(file, path: path, reason: reason) }
        let document: YAMLNode?
        do {
            document = try YAMLDocument.parse(bytes, duplicateKeys: .lastWins)
        } catch {
            throw fail("malformed YAML: \(error)")
        }
        guard let root = document, !root.isNull else { return CassandraConfig(incrementalBackups: false, dataFileDirectories: []) }
        guard root.pairs != nil, root.tag == nil || root.tag == YAMLTag.map else {
            throw fail("\(root.mark): the top level is \(root.kindDescription), not a mapping of settings")
        }

        var incremental = false
        if let node = root.value(forKey: "incremental_backups"), !node.isNull {
            guard let text = node.scalar, node.tag == nil || node.tag == YAMLTag.bool, let value = yaml11Boolean(text) else {
                throw fail("\(node.mark): incremental_backups must be true or false (or yes/no, on/off)")
            }
            incremental = value
        }

        var directories: [String] = []
        if let node = root.value(forKey: "data_file_directories"), !node.isNull {
            guard let items = node.items, node.tag == nil || node.tag == YAMLTag.seq else {
                throw fail("\(node.mark): data_file_directories must be a list of paths, found \(node.kindDescription)")
            }
            for item in items {
                directories.append(try directorySetting(item, "data_file_directories", fail))
            }
        }

        var localSystem: String?
        if let node = root.value(forKey: "local_system_data_file_directory"), !node.isNull {
            localSystem = try directorySetting(node, "local_system_data_file_directory", fail)
        }
        return CassandraConfig(incrementalBackups: incremental, dataFileDirectories: directories,
                               localSystemDataFileDirectory: localSystem)
    }

    /// A string setting holding a directory: a non-empty scalar, untagged or `!!str`.
    private static func directorySetting(_ node: YAMLNode, _ name: String,
                             _ fail: (String) -> ConfigFileError) throws(ConfigFileError) -> String {
        guard !node.isNull, let text = node.scalar, !text.isEmpty, node.tag == nil || node.tag == YAMLTag.str else {
            throw fail("\(node.mark): \(name) must hold non-empty paths, found \(node.kindDescription)")
        }
        return text
    }

    /// SnakeYAML's `SafeConstructor.BOOL_VALUES`, looked up in lower case.
    private static func yaml11Boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on": true
        case "false", "no", "off": false
        default: nil
        }
    }
}
