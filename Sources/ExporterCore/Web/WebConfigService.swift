import Exposition
import FoundationEssentials
import Logging
import ServiceLifecycle

/// Re-reads `--web.config.file` every few seconds: a changed, valid file is applied whole (see
/// ``WebFront/reload(_:)``); the TLS files are read on every look, so a certificate rotated in
/// place (same paths, new content) is served within one period, as exporter-toolkit does.
///
/// Fails closed: a file that is missing, unreadable, empty, too large, not read in time, not
/// UTF-8 or not valid, or that names a certificate file that cannot be used or switches TLS on
/// or off, keeps the last good settings in force (never "nothing configured"), is logged once per
/// distinct failure, and is reported as
/// `cassandra_backup_exporter_config_last_reload_successful{file="web"} 0`.
public struct WebConfigService: Service {
    let path: String
    let interval: Duration
    let logger: Logger
    let front: WebFront
    let report: @Sendable (ConfigReloadStatus) -> Void

    /// - Parameter front: holds the configuration read at start-up and receives each new one; the
    ///   file is compared with what it holds, so a change made before the first look is not missed.
    /// - Parameter report: receives the outcome of every look (start-up counts as a success).
    public init(path: String, interval: Duration = .seconds(5), logger: Logger, front: WebFront,
                report: @escaping @Sendable (ConfigReloadStatus) -> Void) {
        self.path = path
        self.interval = interval
        self.logger = logger
        self.front = front
        self.report = report
    }

    /// The outcome last reported and the failure last logged.
    private struct Seen: Sendable {
        var status: ConfigReloadStatus
        var failure: String?
    }

    public func run() async throws {
        let start = Seen(status: ConfigReloadStatus(successful: true, lastSuccessTimestamp: Self.now()), failure: nil)
        report(start.status)
        await repeatUntilShutdown(every: interval, from: start, step: look, publish: { report($0.status) })
    }

    /// One look at the file and the TLS files it names.
    private func look(_ seen: Seen) -> Seen {
        var next = seen
        func fail(_ message: Logger.Message, _ error: any Error) -> Seen {
            let failure = "\(error)"
            if failure != seen.failure { logger.error(message, metadata: ["error": "\(failure)"]) }
            next.status.successful = false
            next.failure = failure
            return next
        }
        let outcome: WebFront.ReloadOutcome
        do {
            outcome = try front.reload(WebConfig.reload(path: path))
        } catch {
            return fail("web config not applied; keeping the last good settings", error)
        }
        let changed = outcome.settingsChanged
        if changed { logger.info("web config reloaded", metadata: ["file": "\(path)"]) }
        if outcome.tlsRestarted { logger.info("TLS settings reloaded", metadata: ["file": "\(path)"]) }
        if changed || outcome.tlsRestarted || !seen.status.successful { next.status.lastSuccessTimestamp = Self.now() }
        if seen.failure != nil { logger.info("web config and TLS files readable again", metadata: ["file": "\(path)"]) }
        next.status.successful = true
        next.failure = nil
        return next
    }

    private static func now() -> Double { Date().timeIntervalSince1970 }
}
