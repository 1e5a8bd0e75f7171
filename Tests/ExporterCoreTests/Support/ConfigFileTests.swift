@testable import ExporterCore
import Foundation
import Testing
import TestSupport

/// Every configuration file is read bounded: a regular file of at most 4 MiB, and after start-up
/// one with settings in it.
@Suite struct ConfigFileTests {
    @Test func aFileLargerThanTheCapIsRefusedWithoutReadingIt() throws {
        let temp = try TemporaryDirectory("configfile")
        defer { temp.remove() }
        // Sparse: 1 GiB apparent, no blocks. Before the cap it was read whole every 5 s.
        let handle = try #require(FileHandle(forWritingAtPath: { FileManager.default.createFile(atPath: temp("big.yml"), contents: nil); return temp("big.yml") }()))
        try handle.truncate(atOffset: 1 << 30)
        try handle.close()
        #expect(throws: ConfigFileError(.web, path: temp("big.yml"), reason: "larger than 4 MiB")) { try WebConfig.load(path: temp("big.yml")) }
    }

    @Test func aFIFOIsRefusedWithoutBlocking() throws {
        let temp = try TemporaryDirectory("configfile")
        defer { temp.remove() }
        try FixtureBuilder(root: temp.path).fifo("web.yml")
        #expect(throws: ConfigFileError(.web, path: temp("web.yml"), reason: "not a regular file")) { try WebConfig.load(path: temp("web.yml")) }
    }

    /// At start-up an empty web config means "nothing configured", as in exporter-toolkit; on a
    /// reload it is what an editor leaves for a moment, and is refused.
    @Test func aFileWithoutSettingsIsRefusedOnReload() throws {
        let temp = try TemporaryDirectory("configfile")
        defer { temp.remove() }
        for text in ["", "\n\n", "# all commented out\n  # indented\n", "---\n...\n"] {
            try text.write(toFile: temp("web.yml"), atomically: true, encoding: .utf8)
            #expect(try WebConfig.load(path: temp("web.yml")) == WebConfig())
            #expect(throws: ConfigFileError.self, "\(text.debugDescription)") { try WebConfig.reload(path: temp("web.yml")) }
        }
        for text in ["{}\n", "basic_auth_users: {}\n", "--- {}\n"] {
            #expect(ConfigFile.hasSettings(Array(text.utf8)), "\(text.debugDescription)")
        }
    }
}
