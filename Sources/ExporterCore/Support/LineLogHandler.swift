import FoundationEssentials
import Logging
import Synchronization
import SystemPackage

/// The `--log.format` values.
public enum LogFormat: String, Sendable, CaseIterable {
    case logfmt, json
}

/// A swift-log handler writing one line per message to standard error, in logfmt or JSON, with
/// the fields Prometheus exporters use: `ts`, `level`, `msg`, then metadata.
///
/// swift-log ships no handler for either format, hence this one.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let format: LogFormat
    private let write: @Sendable (String) -> Void

    /// - Parameter write: receives each finished line, newline included; standard error by default.
    public init(format: LogFormat, level: Logger.Level, write: @escaping @Sendable (String) -> Void = LineLogHandler.standardError) {
        self.format = format
        self.logLevel = level
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("ts", UTCTimestamp.now()), ("level", Self.levelName(event.level)), ("msg", "\(event.message)"),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() { fields.append((key, "\(merged[key]!)")) }
        write(format == .json ? Self.json(fields) : Self.logfmt(fields))
    }

    /// Prometheus' level names: `debug`, `info`, `warn`, `error`.
    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warn"
        case .error, .critical: "error"
        }
    }

    static func logfmt(_ fields: [(String, String)]) -> String {
        fields.map { key, value in
            let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0.isNewline }
            guard needsQuotes else { return "\(key)=\(value)" }
            let escaped = value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
                .escapingLineBreaks
            return "\(key)=\"\(escaped)\""
        }.joined(separator: " ") + "\n"
    }

    static func json(_ fields: [(String, String)]) -> String {
        let members = fields.map { key, value in "\(jsonString(key)):\(jsonString(value))" }
        return "{" + members.joined(separator: ",") + "}\n"
    }

    private static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    private static let standardErrorLock = Mutex(())

    /// Writes a line to standard error in one call, so lines from several threads do not mix.
    public static let standardError: @Sendable (String) -> Void = { line in
        standardErrorLock.withLock { _ in _ = try? FileDescriptor.standardError.writeAll(line.utf8) }
    }
}
