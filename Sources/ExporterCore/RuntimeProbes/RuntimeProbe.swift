/// Reads whether incremental backup is enabled on the running node (`source="runtime"`).
public protocol RuntimeProbe: Sendable {
    /// A short name for logs, e.g. `nodetool` or `jolokia`.
    var name: String { get }
    /// Reads the node's state once; never throws: failures are a ``RuntimeReading/failed(_:)``.
    func read() async -> RuntimeReading
}

/// The outcome of one runtime probe.
public enum RuntimeReading: Sendable, Equatable {
    case enabled(Bool)
    /// The probe did not produce a usable answer; the text says why, in one line.
    case failed(String)
}

/// The runtime source as published: the last good value and whether the last read worked.
public struct RuntimeState: Sendable, Equatable {
    /// The last value read successfully; `nil` before the first success.
    public var enabled: Bool?
    /// Whether the most recent read worked; `nil` before the first read.
    public var lastReadSucceeded: Bool?
    /// Wall time of the most recent read, in seconds; `nil` before the first read.
    public var lastReadDuration: Double?

    public init() {}

    /// The state after `reading`, which took `duration`: a failure keeps the last good value.
    public func updated(with reading: RuntimeReading, duration: Duration? = nil) -> RuntimeState {
        var next = self
        next.lastReadDuration = duration?.seconds
        switch reading {
        case .enabled(let value):
            next.enabled = value
            next.lastReadSucceeded = true
        case .failed:
            next.lastReadSucceeded = false
        }
        return next
    }
}
