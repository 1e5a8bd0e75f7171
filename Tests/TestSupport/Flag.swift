import Foundation

/// A boolean shared between a test and the thread it starts.
public final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    public init() {}

    public func set() { lock.withLock { value = true } }
    public var isSet: Bool { lock.withLock { value } }
}

/// Whether the tests run as root: tests that become another user (`setpriv`) need it, and are
/// reported as skipped otherwise.
public let runsAsRoot = getuid() == 0
