import ExporterCore
import Foundation
import Testing
import TestSupport

@Suite struct CassandraConfigTests {
    @Test func readsTheTwoSettings() throws {
        let config = try CassandraConfig.parse("""
            # comment
            cluster_name: 'Test Cluster'
            incremental_backups: true
            data_file_directories:
                - /var/lib/cassandra/data
                - /mnt/disk2/data
            """, path: "c.yaml")
        #expect(config == CassandraConfig(incrementalBackups: true, dataFileDirectories: ["/var/lib/cassandra/data", "/mnt/disk2/data"]))
    }

    @Test func defaultsWhenTheSettingsAreAbsentOrCommentedOut() throws {
        let config = try CassandraConfig.parse("""
            cluster_name: 'Test Cluster'
            # incremental_backups: true
            # data_file_directories:
            #     - /var/lib/cassandra/data
            """, path: "c.yaml")
        #expect(config == CassandraConfig(incrementalBackups: false, dataFileDirectories: []))
        #expect(try CassandraConfig.parse("", path: "c.yaml").incrementalBackups == false)
        #expect(try CassandraConfig.parse("data_file_directories:\n", path: "c.yaml").dataFileDirectories == [])
    }

    /// SnakeYAML, which Cassandra uses, reads `yes/no/on/off` (any case, quoted or not, or tagged
    /// `!!bool`) into a boolean field; a null value keeps the default.
    @Test(arguments: [("true", true), ("false", false), ("yes", true), ("\"yes\"", true), ("No", false), ("on", true),
                      ("OFF", false), ("'true'", true), ("!!bool yes", true), ("!!bool 'off'", false), ("~", false),
                      ("null", false), ("", false), ("!!null x", false)] as [(String, Bool)])
    func acceptsWhatCassandraAccepts(value: String, expected: Bool) throws {
        #expect(try CassandraConfig.parse("incremental_backups: \(value)", path: "c.yaml").incrementalBackups == expected)
    }

    /// Each stops Cassandra's start-up: no boolean, or an explicit tag that does not fit one.
    @Test(arguments: ["1", "0", "enabled", "[true]", "{a: 1}", "!!int true", "!!str yes", "! true", "!custom true", "'null'", "''"])
    func refusesWhatCassandraRefuses(value: String) {
        #expect(throws: ConfigFileError(.cassandra, path: "c.yaml", reason: "1:22: incremental_backups must be true or false (or yes/no, on/off)")) {
            try CassandraConfig.parse("incremental_backups: \(value)", path: "c.yaml")
        }
    }

    @Test(arguments: ["incremental_backups: [unclosed", "- just\n- a list", "data_file_directories: /not/a/list",
                      "key: value\n  bad indentation: x", "data_file_directories:\n  - {a: b}", "data_file_directories:\n  - ''",
                      "data_file_directories:\n  - ~", "data_file_directories: !!str [a]", "local_system_data_file_directory: [a]",
                      "a: 1\n---\nb: 2"])
    func refusesMalformedFiles(text: String) {
        #expect(throws: ConfigFileError.self) { try CassandraConfig.parse(text, path: "c.yaml") }
    }

    @Test func readsTheLocalSystemDataDirectory() throws {
        let config = try CassandraConfig.parse("""
            data_file_directories: [/d1, /d2]
            local_system_data_file_directory: /system
            """, path: "c.yaml")
        #expect(config.localSystemDataFileDirectory == "/system")
        #expect(config.tableDirectories(fallback: "/f") == ["/d1", "/d2", "/system"])
        let same = try CassandraConfig.parse("data_file_directories: [/d1]\nlocal_system_data_file_directory: /d1", path: "c.yaml")
        #expect(same.tableDirectories(fallback: "/f") == ["/d1"])
        let onlyLocal = try CassandraConfig.parse("local_system_data_file_directory: /system", path: "c.yaml")
        #expect(onlyLocal.tableDirectories(fallback: "/f") == ["/f", "/system"])
        let unset = try CassandraConfig.parse("data_file_directories: [/d1]\nlocal_system_data_file_directory:", path: "c.yaml")
        #expect(unset.localSystemDataFileDirectory == nil && unset.tableDirectories(fallback: "/f") == ["/d1"])
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: ConfigFileError(.cassandra, path: "/nonexistent/cassandra.yaml", reason: "no such file")) {
            try CassandraConfig.load(path: "/nonexistent/cassandra.yaml")
        }
    }

    /// Errors are one line naming the position and the setting; they quote nothing of the file.
    @Test(arguments: [("a: [\nb: c", "cassandra config c.yaml: malformed YAML: 3:1: did not find expected ',' or ']', while parsing a flow sequence at 1:4"),
                      ("incremental_backups: \"yes\\r\\nno\"", "cassandra config c.yaml: 1:22: incremental_backups must be true or false (or yes/no, on/off)"),
                      ("incremental_backups: true\ndata_file_directories: hunter2", "cassandra config c.yaml: 2:24: data_file_directories must be a list of paths, found a scalar"),
                      ("keystore_password: hunter2\nincremental_backups: {hunter2: x}", "cassandra config c.yaml: 2:22: incremental_backups must be true or false (or yes/no, on/off)")])
    func errorMessagesAreOneLineWithoutContent(text: String, expected: String) {
        do {
            _ = try CassandraConfig.parse(text, path: "c.yaml")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test func defaultPathFollowsCassandraConf() {
        #expect(CassandraConfig.defaultPath(environment: ["CASSANDRA_CONF": "/opt/c/conf"]) == "/opt/c/conf/cassandra.yaml")
        #expect(CassandraConfig.defaultPath(environment: [:]) == "/etc/cassandra/cassandra.yaml")
    }
}
