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
}
