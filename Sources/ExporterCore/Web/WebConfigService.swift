import FoundationEssentials
import Logging
import ServiceLifecycle

/// Re-reads `--web.config.file` every few seconds: a changed, valid file applies its users and
/// headers at once; the TLS files are read on every look, so a certificate rotated in place (same
/// paths, new content) is served within one period, as exporter-toolkit does. A broken file or
/// certificate keeps the last good settings and is logged once per change.
public struct WebConfigService: Service {
    let path: String
    /// The configuration in force when the service starts (read at start-up).
    let initial: WebConfig
    let interval: Duration
    let logger: Logger
    let front: WebFront

    /// - Parameter initial: the configuration applied at start-up; the file is compared with it,
    ///   so a change made between start-up and the service's first look is not missed.
    /// - Parameter front: receives each new configuration.
    public init(path: String, initial: WebConfig, interval: Duration = .seconds(5), logger: Logger, front: WebFront) {
        self.path = path
        self.initial = initial
        self.interval = interval
        self.logger = logger
        self.front = front
    }

    /// The last text read (`nil` before the first read) and the configuration in force.
    private struct Seen: Sendable {
        var text: String?
        var config: WebConfig
    }

    public func run() async throws {
        await repeatUntilShutdown(every: interval, from: Seen(text: nil, config: initial), step: look, publish: { _ in })
    }

    /// One look at the file and the TLS files it names.
    private func look(_ seen: Seen) -> Seen {
        var seen = seen
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        if text != seen.text {
            seen.text = text
            do {
                let config = try WebConfig.parse(text, path: path)
                if config != seen.config {
                    seen.config = config
                    front.apply(config)
                    logger.info("web config reloaded", metadata: ["file": "\(path)"])
                }
            } catch {
                logger.error("web config not applied; keeping the last good settings", metadata: ["error": "\(error)"])
            }
        }
        do {
            if try front.reloadTLS() == .restarted {
                logger.info("TLS settings reloaded", metadata: ["file": "\(path)"])
            }
        } catch {
            logger.error("TLS settings not applied; still serving the previous certificate", metadata: ["error": "\(error)"])
        }
        return seen
    }
}
