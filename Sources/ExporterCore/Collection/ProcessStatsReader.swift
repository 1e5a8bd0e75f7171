import Exposition
import FoundationEssentials
import Glibc

/// Reads the standard `process_*` figures of this process from `/proc/self` (proc(5)), as the
/// Prometheus client libraries do.
public enum ProcessStatsReader {
    /// The current figures, or `nil` where `/proc` is not mounted.
    public static func read() -> ProcessStats? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let boot = bootTime() else { return nil }
        // Fields after the parenthesised command name, which may itself contain spaces.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // proc(5) numbers fields from 1: state is field 3, i.e. fields[0] here.
        func field(_ number: Int) -> Double { Double(fields[number - 3]) ?? 0 }
        guard fields.count >= 22 else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        let openFDs = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        return ProcessStats(
            residentMemoryBytes: field(24) * pageSize,
            virtualMemoryBytes: field(23),
            cpuSecondsTotal: (field(14) + field(15)) / ticks,
            openFileDescriptors: Double(max(openFDs - 1, 0)),  // minus the descriptor used to list
            maxFileDescriptors: maxOpenFiles(),
            startTimeSeconds: boot + field(22) / ticks
        )
    }

    private static func bootTime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingWhitespace())
        }
        return nil
    }

    private static func maxOpenFiles() -> Double? {
        guard let soft = DescriptorLimit.current()?.soft, soft != UInt64(rlim_t.max) else { return nil }  // RLIM_INFINITY
        return Double(soft)
    }
}
