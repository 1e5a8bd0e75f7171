import Foundation
import MicroHTTPD
import Testing
import TestSupport

@Suite struct GzipTests {
    @Test(arguments: [0, 1, 100_000])
    func gzipRoundTripsThroughTheGzipTool(size: Int) throws {
        let temp = try TemporaryDirectory("gzip")
        defer { temp.remove() }
        let input = (0..<size).map { UInt8(truncatingIfNeeded: $0 * 7 % 251) }
        try Data(Gzip.compress(input)).write(to: URL(fileURLWithPath: temp("body.gz")))
        let decoded = try Command.run("/bin/sh", ["-c", "gzip -dc '\(temp("body.gz"))' | od -An -v -tu1"])
        #expect(decoded.status == 0)
        let bytes = decoded.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { UInt8($0)! }
        #expect(bytes == input)
    }
}
