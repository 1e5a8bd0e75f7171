import ExporterCore
import Foundation
import Testing
import TestSupport

/// Full-length cassandra.yaml files of each supported version (see Fixtures/README.md).
@Suite struct CassandraYamlFilesTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    @Test(arguments: ["3.11", "4.0", "4.1", "5.0"])
    func shippedDefaultsReadAsDisabledWithoutDirectories(version: String) throws {
        let config = try CassandraConfig.load(path: "\(Self.fixtures)/cassandra-\(version)-tarball.yaml")
        #expect(config == CassandraConfig(incrementalBackups: false, dataFileDirectories: []))
    }

    @Test(arguments: ["3.11", "4.0", "4.1", "5.0"])
    func packagedNodesReadAsEnabledWithTheirDirectory(version: String) throws {
        let config = try CassandraConfig.load(path: "\(Self.fixtures)/cassandra-\(version)-debian.yaml")
        #expect(config == CassandraConfig(incrementalBackups: true, dataFileDirectories: ["/var/lib/cassandra/data"]))
    }

    @Test func emptyDirectoryListIsEmpty() throws {
        #expect(try CassandraConfig.parse("data_file_directories: []\n", path: "c.yaml").dataFileDirectories == [])
    }

    // MARK: Files as they are found on real nodes (SnakeYAML: the last duplicate wins, at any depth)

    private func fixture(_ name: String) throws -> String {
        try String(contentsOfFile: "\(Self.fixtures)/\(name)", encoding: .utf8)
    }

    /// Configuration management appends its overrides at the end of the shipped file.
    @Test func anOverrideAppendedAtTheEndWins() throws {
        let enabled = try fixture("cassandra-4.1-tarball.yaml") + "\n# managed by config management\nincremental_backups: true\ndata_file_directories:\n  - /data1\n  - /data2\n"
        #expect(try CassandraConfig.parse(enabled, path: "c.yaml")
                == CassandraConfig(incrementalBackups: true, dataFileDirectories: ["/data1", "/data2"]))
        let disabled = try fixture("cassandra-4.1-debian.yaml") + "\nincremental_backups: false\n"
        #expect(try CassandraConfig.parse(disabled, path: "c.yaml")
                == CassandraConfig(incrementalBackups: false, dataFileDirectories: ["/var/lib/cassandra/data"]))
    }

    /// An image that ships the whole file twice reads as the file once.
    @Test(arguments: ["3.11", "4.0", "4.1", "5.0"])
    func theWholeFileTwiceReadsAsOnce(version: String) throws {
        let once = try fixture("cassandra-\(version)-debian.yaml")
        #expect(try CassandraConfig.parse(once + "\n" + once, path: "c.yaml")
                == CassandraConfig(incrementalBackups: true, dataFileDirectories: ["/var/lib/cassandra/data"]))
    }

    /// `incremental_backups` repeated with different values: the later line decides, in both orders.
    @Test(arguments: [("true", "false", false), ("false", "true", true), ("yes", "off", false), ("no", "'on'", true)] as [(String, String, Bool)])
    func theLaterIncrementalBackupsLineDecides(first: String, second: String, expected: Bool) throws {
        let text = "incremental_backups: \(first)\nstart_native_transport: true\ncluster_name: x\nincremental_backups: \(second)\nstart_native_transport: false\n"
        #expect(try CassandraConfig.parse(text, path: "c.yaml").incrementalBackups == expected)
    }

    /// A nested mapping with a repeated key (old test configs repeat options) is accepted.
    @Test func aRepeatedNestedKeyIsAccepted() throws {
        let text = try fixture("cassandra-5.0-debian.yaml") + """

            client_encryption_options:
              enabled: false
              keystore: conf/.keystore
              keystore_password: cassandra
              enabled: true
            data_file_directories:
              - /var/lib/cassandra/data
              - /mnt/ssd2/data
            """
        #expect(try CassandraConfig.parse(text, path: "c.yaml")
                == CassandraConfig(incrementalBackups: true, dataFileDirectories: ["/var/lib/cassandra/data", "/mnt/ssd2/data"]))
    }

    /// Windows line ends (a file edited on a workstation and copied to the node).
    @Test(arguments: ["3.11", "5.0"])
    func crlfLineEnds(version: String) throws {
        let text = try fixture("cassandra-\(version)-debian.yaml").replacingOccurrences(of: "\n", with: "\r\n")
        #expect(text.contains("\r\n"))
        #expect(try CassandraConfig.parse(text, path: "c.yaml")
                == CassandraConfig(incrementalBackups: true, dataFileDirectories: ["/var/lib/cassandra/data"]))
    }

    /// A 150 KB file: the shipped comments many times over, the settings at the very end.
    @Test func aLargeFile() throws {
        let tarball = try fixture("cassandra-5.0-tarball.yaml")
        let comments = tarball.split(separator: "\n").filter { $0.hasPrefix("#") }.joined(separator: "\n")
        var text = tarball
        while text.utf8.count < 150_000 { text += "\n" + comments }
        text += "\nincremental_backups: yes\ndata_file_directories: [/srv/cassandra/data]\nlocal_system_data_file_directory: /srv/cassandra/system\n"
        #expect(text.utf8.count >= 150_000)
        let config = try CassandraConfig.parse(text, path: "c.yaml")
        #expect(config == CassandraConfig(incrementalBackups: true, dataFileDirectories: ["/srv/cassandra/data"],
                                          localSystemDataFileDirectory: "/srv/cassandra/system"))
    }
}
