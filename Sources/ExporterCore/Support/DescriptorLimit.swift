import Glibc

/// The process's limit on open descriptors (`RLIMIT_NOFILE`), and how much of it the web
/// server may take.
///
/// Shells, containers (containerd and Docker set 1,024) and units without `LimitNOFILE=` start
/// the exporter with a soft limit of 1,024, far below the hard limit. Go's runtime raises the
/// soft limit to the hard one at start since Go 1.19, so every Go exporter runs at the hard
/// limit; this does the same. Related calls: `getrlimit(2)`, `setrlimit(2)`.
public enum DescriptorLimit {
    /// The soft and hard limits.
    public struct Limits: Equatable, Sendable {
        public var soft: UInt64
        public var hard: UInt64
    }

    /// The limits now; `nil` when they cannot be read.
    public static func current() -> Limits? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return Limits(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max))
    }

    /// Raises the soft limit to the hard limit; returns the limits before and after (after equals
    /// before when the kernel refused or there was nothing to raise).
    public static func raiseSoftLimit() -> (before: Limits, after: Limits)? {
        guard let before = current() else { return nil }
        guard before.soft < before.hard else { return (before, before) }
        var raised = rlimit(rlim_cur: rlim_t(before.hard), rlim_max: rlim_t(before.hard))
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 else { return (before, before) }
        return (before, current() ?? before)
    }

    /// Descriptors kept for everything but connections: the walk (a handful per walker thread,
    /// and as many again for each walk left stuck in a hung mount), the listening sockets, the
    /// configuration and PEM files, nodetool's pipes and the log.
    public static func reserved(parallelism: Int, dataDirectories: Int) -> Int {
        128 + 16 * parallelism * max(1, dataDirectories)
    }

    /// The connections the web server may hold: `wanted`, or fewer when the soft limit `soft`
    /// minus ``reserved(parallelism:dataDirectories:)`` leaves less (at least 16), so that
    /// clients can never take the descriptors a scan needs.
    public static func connectionLimit(wanted: Int, soft: UInt64, reserved: Int) -> Int {
        let available = soft > UInt64(Int.max) ? Int.max : Int(soft) - reserved
        return max(16, min(wanted, available))
    }
}
