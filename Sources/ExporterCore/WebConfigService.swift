import Foundation
import Logging
import ServiceLifecycle

/// Re-reads `--web.config.file` every few seconds and applies a changed, valid file: users and
/// headers at once, TLS settings by restarting the server. A broken file keeps the last good
/// settings and is logged once per change.
public struct WebConfigService: Service {
    let path: String
    /// The configuration in force when the service starts (read at start-up).
    let initial: WebConfig
    let interval: Duration
    let logger: Logger
    let apply: @Sendable (WebConfig) throws -> Void

    /// - Parameter initial: the configuration applied at start-up; the file is compared with it,
    ///   so a change made between start-up and the service's first look is not missed.
    /// - Parameter apply: installs a new configuration; an error is logged and the file tried
    ///   again when it changes.
    public init(path: String, initial: WebConfig, interval: Duration = .seconds(5), logger: Logger,
                apply: @escaping @Sendable (WebConfig) throws -> Void) {
        self.path = path
        self.initial = initial
        self.interval = interval
        self.logger = logger
        self.apply = apply
    }

    /// The last text read (`nil` before the first read) and the configuration in force.
    private struct Seen: Sendable {
        var text: String?
        var config: WebConfig
    }

    public func run() async throws {
        let (path, logger, apply) = (self.path, self.logger, self.apply)
        await repeatUntilShutdown(every: interval, from: Seen(text: nil, config: initial), step: { seen in
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            guard text != seen.text else { return seen }
            do {
                let config = try WebConfig.parse(text, path: path)
                if config != seen.config {
                    try apply(config)
                    logger.info("web config reloaded", metadata: ["file": "\(path)"])
                }
                return Seen(text: text, config: config)
            } catch {
                logger.error("web config not applied; keeping the last good settings", metadata: ["error": "\(error)"])
                return Seen(text: text, config: seen.config)
            }
        }, publish: { _ in })
    }
}
