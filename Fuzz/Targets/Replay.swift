import FuzzDriver
import Foundation

/// With libFuzzer linked in (`Fuzz/run.sh`): fuzzes the target named by `FUZZ_TARGET`.
/// Without: runs the target over the files and directories named on the command line (the
/// corpus), for the test suite and for reproducing a crash. `--list` prints the target names.
@main
struct FuzzMain {
    static func main() throws {
        // The one list of targets, for Fuzz/run.sh and the corpus test.
        if CommandLine.arguments.dropFirst().first == "--list" {
            print(FuzzTarget.allCases.map(\.rawValue).joined(separator: "\n"))
            return
        }
        let status = FuzzDriver_run(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
            fuzzOneInput(data, size)
        }
        if status != -1 { exit(status) }
        var inputs = 0
        for argument in CommandLine.arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else { continue }
            let files = isDirectory.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: argument).sorted().map { "\(argument)/\($0)" } : [argument]
            for file in files {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
                _ = bytes.withUnsafeBufferPointer { fuzzOneInput($0.baseAddress, $0.count) }
                inputs += 1
            }
        }
        print("\(FuzzTarget.selected.rawValue): \(inputs) inputs replayed")
    }
}
