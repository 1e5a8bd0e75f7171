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

    /// SnakeYAML, which Cassandra uses, reads `yes/no/on/off` (any case, quoted or not) into a
    /// boolean field and refuses anything else at start-up.
    @Test(arguments: [("true", true), ("false", false), ("yes", true), ("\"yes\"", true), ("No", false), ("on", true),
                      ("OFF", false), ("'true'", true)] as [(String, Bool)])
    func acceptsWhatCassandraAccepts(value: String, expected: Bool) throws {
        #expect(try CassandraConfig.parse("incremental_backups: \(value)", path: "c.yaml").incrementalBackups == expected)
    }

    @Test(arguments: ["1", "0", "enabled", "[true]", "{a: 1}"])
    func refusesWhatCassandraRefuses(value: String) {
        #expect(throws: CassandraConfigError.self) { try CassandraConfig.parse("incremental_backups: \(value)", path: "c.yaml") }
    }

    @Test(arguments: ["incremental_backups: [unclosed", "- just\n- a list", "data_file_directories: /not/a/list",
                      "key: value\n  bad indentation: x", "data_file_directories:\n  - {a: b}"])
    func refusesMalformedFiles(text: String) {
        #expect(throws: CassandraConfigError.self) { try CassandraConfig.parse(text, path: "c.yaml") }
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: CassandraConfigError(path: "/nonexistent/cassandra.yaml", reason: "no such file")) {
            try CassandraConfig.load(path: "/nonexistent/cassandra.yaml")
        }
    }

    /// Yams' own message spans three lines (problem, source line, caret); a quoted value can hold
    /// line breaks. Either way the error is one line.
    @Test(arguments: [("a: [\nb: c", "c.yaml: malformed YAML: 3:1: did not find expected "),
                      ("incremental_backups: \"yes\\r\\nno\"", #"found "yes\r\nno""#)])
    func errorMessagesAreOneLine(text: String, fragment: String) {
        do {
            _ = try CassandraConfig.parse(text, path: "c.yaml")
            Issue.record("accepted \(text)")
        } catch {
            let lineBreaks = error.description.filter(\.isNewline)
            #expect(lineBreaks.isEmpty)
            #expect(error.description.contains(fragment), "\(error.description)")
        }
    }

    @Test func defaultPathFollowsCassandraConf() {
        #expect(CassandraConfig.defaultPath(environment: ["CASSANDRA_CONF": "/opt/c/conf"]) == "/opt/c/conf/cassandra.yaml")
        #expect(CassandraConfig.defaultPath(environment: [:]) == "/etc/cassandra/cassandra.yaml")
    }
}
