import Foundation

/// A value shared between a test and the threads it starts, behind a pthread mutex (`NSLock`).
/// Not `Synchronization.Mutex`: ThreadSanitizer (scripts/sanitizers.sh) does not see its futex
/// and reports the guarded value as racing.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try lock.withLock { try body(&value) }
    }
}

/// A boolean shared between a test and the threads it starts: set once, read in loops.
public typealias Flag = Locked<Bool>

extension Locked where Value == Bool {
    public convenience init() { self.init(false) }

    public func set() { withLock { $0 = true } }
    public var isSet: Bool { withLock { $0 } }
}
