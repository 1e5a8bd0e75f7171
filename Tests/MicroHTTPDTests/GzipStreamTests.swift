import Foundation
import MicroHTTPD
import Testing
import TestSupport

/// A kept gzip prefix gives bodies that other people's readers decompress whole: gzip(1) and
/// Python's gzip module, which both check the CRC and the length in the trailer.
@Suite struct GzipStreamTests {
    private func decompressed(_ body: [UInt8], in temp: TemporaryDirectory) throws -> (gzip: String, python: String) {
        try Data(body).write(to: URL(fileURLWithPath: temp("body.gz")))
        let gzip = try Command.run("gzip", ["-dc", temp("body.gz")])
        #expect(gzip.status == 0, "\(gzip.stderr)")
        let python = try Command.run("python3", ["-c", "import gzip, sys; sys.stdout.write(gzip.open(sys.argv[1]).read().decode())", temp("body.gz")])
        #expect(python.status == 0, "\(python.stderr)")
        return (gzip.stdout, python.stdout)
    }

    @Test func eachBodyIsOneValidMemberWhetherThePrefixIsKeptOrNot() throws {
        let temp = try TemporaryDirectory("gzipstream")
        defer { temp.remove() }
        let stream = GzipStream()
        let prefix = (0..<20_000).map { "cassandra_backup_files{table=\"t\($0)\"} \($0 * 7)\n" }.joined()
        var previous: [UInt8] = []
        for (index, (head, rest)) in [(prefix, "scan 1\n"), (prefix, "scan 2, longer\n"), (prefix + "x 1\n", "scan 3\n"), ("", ""), ("", "only rest\n")].enumerated() {
            let body = stream.compress(prefix: head, rest: rest)
            let (gzip, python) = try decompressed(body, in: temp)
            #expect(gzip == head + rest, "body \(index) through gzip(1)")
            #expect(python == head + rest, "body \(index) through Python")
            if index == 1 {
                // The same prefix: its compressed bytes are the same, only the end differs.
                let shared = zip(previous, body).prefix { $0 == $1 }.count
                #expect(shared > body.count / 2, "kept \(shared) of \(body.count) bytes")
            }
            previous = body
        }
    }
}
