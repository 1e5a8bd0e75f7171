import Foundation
import Testing
import TestSupport

/// The fuzzing corpus (Fuzz/corpus), replayed through every target's checks without libFuzzer,
/// so the inputs that once broke a parser stay fixed. `Fuzz/run.sh` does the fuzzing itself.
@Suite struct FuzzCorpusTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ["duration", "web-config", "cassandra-yaml", "accept-encoding", "label-escaping", "basic-auth",
                      "snapshot-manifest", "listen-address"])
    func corpusPassesTheTargetsChecks(target: String) throws {
        let corpus = Self.repository.appendingPathComponent("Fuzz/corpus/\(target)").path
        let inputs = try FileManager.default.contentsOfDirectory(atPath: corpus).count
        #expect(inputs >= 2)
        let result = try Command.run(BuiltProducts.path("cassandra-backup-fuzz"), [corpus],
                                     environment: ["FUZZ_TARGET": target, "SWIFT_BACKTRACE": "enable=no"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "\(target): \(inputs) inputs replayed\n")
    }
}
