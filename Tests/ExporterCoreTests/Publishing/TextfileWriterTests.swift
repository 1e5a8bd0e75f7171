import ExporterCore
import Foundation
import Testing
import TestSupport

@Suite struct TextfileWriterTests {
    /// Files in `directory`, as `find` lists them (an oracle apart from the writer).
    private func listing(_ directory: String) throws -> [String] {
        try Command.output("find", [directory, "-mindepth", "1", "-printf", "%f %m\n"]).split(separator: "\n").map(String.init).sorted()
    }

    /// A run killed between creating its temporary file and renaming it leaves the file behind;
    /// later runs, whatever their PID (in a container always 1), still write.
    @Test func aLeftoverTemporaryFileOfAnyNameDoesNotBlockLaterRuns() throws {
        let temp = try TemporaryDirectory("textfile")
        defer { temp.remove() }
        let target = temp("backup.prom")
        // What the earlier naming (`.<name>.<pid>.tmp`) and an earlier random name would leave.
        for leftover in [".backup.prom.\(getpid()).tmp", ".backup.prom.1.tmp", ".backup.prom.AbC123"] {
            FileManager.default.createFile(atPath: temp(leftover), contents: Data("half".utf8))
        }
        for round in 1...3 {
            try TextfileWriter.write(["a_metric ", "\(round)\n"], to: target)
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "a_metric \(round)\n")
        }
        #expect(try listing(temp.path) == [".backup.prom.1.tmp 644", ".backup.prom.AbC123 644", ".backup.prom.\(getpid()).tmp 644", "backup.prom 644"].sorted(),
                "only the leftovers and the target: nothing of the writer's own stays")
    }

    /// A rename that fails (the target is a directory) leaves the target as it was and no
    /// temporary file.
    @Test func aFailedRenameRemovesTheTemporaryFile() throws {
        let temp = try TemporaryDirectory("textfile")
        defer { temp.remove() }
        try FileManager.default.createDirectory(atPath: temp("backup.prom"), withIntermediateDirectories: false)
        #expect(throws: TextfileError.self) { try TextfileWriter.write(["a_metric 1\n"], to: temp("backup.prom")) }
        #expect(try listing(temp.path) == ["backup.prom 755"])
    }
}
