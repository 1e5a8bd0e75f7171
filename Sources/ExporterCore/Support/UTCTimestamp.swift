import Glibc

/// RFC 3339 timestamps in UTC, e.g. `2026-11-26T18:20:31.536Z`.
///
/// With `gmtime_r` rather than `ISO8601DateFormatter`, which on Linux loads ICU's data (megabytes
/// of resident memory) for a fixed format.
enum UTCTimestamp {
    /// Formats `seconds` since the epoch, with milliseconds when `fractional`.
    static func format(_ seconds: Double, fractional: Bool = false) -> String {
        var whole = time_t(seconds.rounded(.down))
        var fields = tm()
        gmtime_r(&whole, &fields)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var text = "\(pad(fields.tm_year + 1900, 4))-\(pad(fields.tm_mon + 1, 2))-\(pad(fields.tm_mday, 2))"
            + "T\(pad(fields.tm_hour, 2)):\(pad(fields.tm_min, 2)):\(pad(fields.tm_sec, 2))"
        if fractional {
            text += "." + pad(Int32(min(999, (seconds - seconds.rounded(.down)) * 1000)), 3)
        }
        return text + "Z"
    }

    /// The current time, with milliseconds.
    static func now() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return format(Double(now.tv_sec) + Double(now.tv_nsec) / 1e9, fractional: true)
    }
}
