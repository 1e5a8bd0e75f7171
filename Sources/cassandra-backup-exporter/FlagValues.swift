import ArgumentParser
import ExporterCore
import Logging
import MicroHTTPD

/// The `--log.level` values.
enum LogLevel: String, ExpressibleByArgument, CaseIterable {
    case debug, info, warn, error

    var level: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .warn: .warning
        case .error: .error
        }
    }
}

extension LogFormat: ExpressibleByArgument {}

extension PrometheusDuration: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public var defaultValueDescription: String { description }

    /// A duration flag's value; refused with an example, since a number without its unit (`90`)
    /// is the usual slip.
    static func flagValue(_ text: String) throws -> PrometheusDuration {
        if let duration = PrometheusDuration(text) { return duration }
        let bareNumber = !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber }
        throw ValidationError(bareNumber
            ? "a duration needs a unit, e.g. \(text)s (units: ms, s, m, h, d, w, y)"
            : "not a duration; e.g. 30s, 5m or 1h30m (units: ms, s, m, h, d, w, y)")
    }
}

extension ListenAddress: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
    public var defaultValueDescription: String { description }
}
