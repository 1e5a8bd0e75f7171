import Foundation
import Testing
import TestSupport

/// The fuzzing corpus (Fuzz/corpus), replayed through every target's checks without libFuzzer,
/// so the inputs that once broke a parser stay fixed. `Fuzz/run.sh` does the fuzzing itself.
@Suite struct FuzzCorpusTests {

    /// Every target the fuzz binary lists has a corpus, every corpus a target, and each corpus
    /// passes its target's checks.
    @Test func corpusPassesTheTargetsChecks() throws {
        let binary = BuiltProducts.path("cassandra-backup-fuzz")
        let targets = try Command.output(binary, ["--list"]).split(separator: "\n").map(String.init)
        let corpora = try FileManager.default.contentsOfDirectory(atPath: Repository.path("Fuzz/corpus"))
        #expect(targets.count >= 8 && Set(targets) == Set(corpora), "targets \(targets), corpora \(corpora)")
        for target in targets {
            let corpus = Repository.path("Fuzz/corpus/\(target)")
            let inputs = try FileManager.default.contentsOfDirectory(atPath: corpus).count
            #expect(inputs >= 2)
            let result = try Command.run(binary, [corpus], environment: ["FUZZ_TARGET": target, "SWIFT_BACKTRACE": "enable=no"])
            #expect(result.status == 0, "\(target): \(result.stderr)")
            #expect(result.stdout == "\(target): \(inputs) inputs replayed\n")
        }
    }
}
