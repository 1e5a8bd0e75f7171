import Foundation
import Logging
import ServiceLifecycle

/// Re-reads `--web.config.file` every few seconds and applies a changed, valid file: users and
/// headers at once, TLS settings by restarting the server. A broken file keeps the last good
/// settings and is logged once per change.
public struct WebConfigService: Service {
    let path: String
    let interval: Duration
    let logger: Logger
    let apply: @Sendable (WebConfig) throws -> Void

    /// - Parameter apply: installs a new configuration; an error is logged and the file tried
    ///   again when it changes.
    public init(path: String, interval: Duration = .seconds(5), logger: Logger, apply: @escaping @Sendable (WebConfig) throws -> Void) {
        self.path = path
        self.interval = interval
        self.logger = logger
        self.apply = apply
    }

    public func run() async throws {
        let (path, logger, apply) = (self.path, self.logger, self.apply)
        let initial = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        await repeatUntilShutdown(every: interval, from: initial, step: { lastText in
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            guard text != lastText else { return lastText }
            do {
                try apply(try WebConfig.parse(text, path: path))
                logger.info("web config reloaded", metadata: ["file": "\(path)"])
            } catch {
                logger.error("web config not applied; keeping the last good settings", metadata: ["error": "\(error)"])
            }
            return text
        }, publish: { _ in })
    }
}
