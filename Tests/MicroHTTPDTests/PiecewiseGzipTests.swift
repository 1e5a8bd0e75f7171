import Foundation
import MicroHTTPD
import Testing
import TestSupport

/// Pieces compressed one by one and kept give bodies that other people's readers decompress
/// whole: gzip(1) and Python's gzip module, which both check the CRC and the length in the trailer.
@Suite struct PiecewiseGzipTests {
    private func decompressed(_ body: [UInt8], in temp: TemporaryDirectory) throws -> (gzip: String, python: String) {
        try Data(body).write(to: URL(fileURLWithPath: temp("body.gz")))
        let gzip = try Command.run("gzip", ["-dc", temp("body.gz")])
        #expect(gzip.status == 0, "\(gzip.stderr)")
        let python = try Command.run("python3", ["-c", "import gzip, sys; sys.stdout.write(gzip.open(sys.argv[1]).read().decode())", temp("body.gz")])
        #expect(python.status == 0, "\(python.stderr)")
        return (gzip.stdout, python.stdout)
    }

    /// 40 pieces of 500 lines each, as a table block of an exposition.
    private static func pieces(changing changed: Int? = nil) -> [PiecewiseGzip<Int>.Piece] {
        (0..<40).map { piece in
            (key: piece, parts: ArraySlice((0..<500).map { line in
                "cassandra_backup_files{table=\"t\(piece)-\(line)\"} \(line * 7 + (piece == changed ? 1 : 0))\n"
            }))
        }
    }

    @Test func eachBodyIsOneValidMemberWhetherItsPiecesAreKeptOrNot() throws {
        let temp = try TemporaryDirectory("piecewisegzip")
        defer { temp.remove() }
        let gzip = PiecewiseGzip<Int>()
        let cases: [(pieces: [PiecewiseGzip<Int>.Piece], rest: String)] = [
            (Self.pieces(), "scan 1\n"), (Self.pieces(), "scan 2, longer\n"), (Self.pieces(changing: 20), "scan 3\n"),
            (Self.pieces() + [(key: 40, parts: ["", "é 1\n", ""])], "# EOF\n"), ([(key: 0, parts: [""])], ""), ([], "only rest\n"), ([], ""),
        ]
        var previous: [UInt8] = []
        for (index, (pieces, rest)) in cases.enumerated() {
            let body = gzip.compress(pieces: pieces, rest: rest)
            let text = pieces.map { $0.parts.joined() }.joined() + rest
            let (viaGzip, viaPython) = try decompressed(body, in: temp)
            #expect(viaGzip == text, "body \(index) through gzip(1)")
            #expect(viaPython == text, "body \(index) through Python")
            if index == 1 || index == 2 {
                // Kept pieces are the same bytes: bodies agree up to the first piece that changed.
                let shared = zip(previous, body).prefix { $0 == $1 }.count
                #expect(shared > (index == 1 ? body.count * 9 / 10 : body.count * 4 / 10), "kept \(shared) of \(body.count) bytes")
            }
            previous = body
        }
    }
}
