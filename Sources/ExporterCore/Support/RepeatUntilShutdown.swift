import ServiceLifecycle

/// Runs `step` every `interval`, start to start, threading a state through, and publishes each
/// new state; ends when graceful shutdown cancels the wait between steps (the normal way to end).
/// A step longer than the interval is followed by the next one at once.
func repeatUntilShutdown<State: Sendable>(
    every interval: Duration,
    from initial: State,
    step: @escaping @Sendable (State) async -> State,
    publish: @escaping @Sendable (State) -> Void
) async {
    let clock = ContinuousClock()
    try? await cancelWhenGracefulShutdown {
        var state = initial
        while true {
            let started = clock.now
            state = await step(state)
            publish(state)
            try await Task.sleep(until: started + interval, clock: clock)
        }
    }
}
