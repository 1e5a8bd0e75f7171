import ExporterCore
import Foundation
import Logging
import Testing
import TestSupport

@Suite struct LineLogHandlerTests {
    final class Lines: Sendable {
        let value = Locked<[String]>([])
        func append(_ line: String) { value.withLock { $0.append(line) } }
    }

    private func log(_ format: LogFormat, level: Logger.Level = .info) -> [String] {
        let lines = Lines()
        var logger = Logger(label: "t") { _ in LineLogHandler(format: format, level: level) { lines.append($0) } }
        logger[metadataKey: "component"] = "scanner"
        logger.debug("hidden")
        logger.warning("cannot read \"x\"", metadata: ["path": "/a b"])
        return lines.value.withLock { $0 }
    }

    @Test func writesLogfmt() throws {
        let lines = log(.logfmt)
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.hasPrefix("ts="))
        #expect(line.hasSuffix(#" level=warn msg="cannot read \"x\"" component=scanner path="/a b""# + "\n"))
    }

    @Test func logfmtKeepsEveryLineBreakInsideTheLine() {
        let lines = Lines()
        let logger = Logger(label: "t") { _ in LineLogHandler(format: .logfmt, level: .info) { lines.append($0) } }
        logger.error("a\r\nb\u{2028}c\u{85}d")
        let line = lines.value.withLock { $0 }.joined()
        let lineBreaks = line.filter(\.isNewline)
        #expect(lineBreaks == "\n")
        #expect(line.hasSuffix(#" msg="a\r\nb\u{2028}c\u{85}d""# + "\n"))
    }

    @Test func writesJSONThatParses() throws {
        let lines = log(.json, level: .debug)
        #expect(lines.count == 2)
        let object = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: String]
        #expect(object?["level"] == "warn")
        #expect(object?["msg"] == "cannot read \"x\"")
        #expect(object?["path"] == "/a b")
        #expect(object?["component"] == "scanner")
    }
}
