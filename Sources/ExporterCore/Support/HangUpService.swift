import Logging
import ServiceLifecycle
import UnixSignals

/// Answers SIGHUP with a log line instead of dying. Its default action ends the process, which a
/// closed terminal or a `kill -HUP` sent out of habit (many daemons reload on it) did silently,
/// with an exit status systemd does not restart. Nothing needs a signal to reload here: the web
/// config is re-read every few seconds and cassandra.yaml at every scan.
public struct HangUpService: Service {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            logger.info("SIGHUP ignored: the web config is re-read every 5 s and cassandra.yaml at every scan")
        }
    }
}
