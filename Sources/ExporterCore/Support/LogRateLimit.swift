import Synchronization

/// At most ``burst`` lines per ``window``; the lines past that are counted, and the count is
/// reported with the first line of the next window. What clients cause (libmicrohttpd's messages
/// about their connections) goes through one: a client must not be able to fill the journal, and
/// journald's own rate limit would then drop the exporter's real errors too.
final class LogRateLimit: Sendable {
    let burst: Int
    let window: Duration
    private struct State {
        var opened: ContinuousClock.Instant
        var written = 0
        var suppressed = 0
    }

    private let state: Mutex<State>

    init(burst: Int = 20, window: Duration = .seconds(60)) {
        self.burst = burst
        self.window = window
        state = Mutex(State(opened: .now))
    }

    /// Whether a line may be written now, and how many were suppressed before it (to be reported
    /// alongside, once).
    func admit(now: ContinuousClock.Instant = .now) -> (write: Bool, suppressedBefore: Int) {
        state.withLock { state in
            var suppressed = 0
            if now - state.opened >= window {
                suppressed = state.suppressed
                state = State(opened: now)
            }
            guard state.written < burst else {
                state.suppressed += 1
                return (false, 0)
            }
            state.written += 1
            return (true, suppressed)
        }
    }
}
