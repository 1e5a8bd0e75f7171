import Logging
import SystemPackage

/// `--once`: one collection and one runtime probe side by side, written as one exposition to
/// standard output or, atomically, to a file for node_exporter's textfile collector.
public enum OnceRun {
    /// Collects once and writes the exposition.
    /// - Returns: `false` when the scan failed; nothing is written then (a textfile keeps its
    ///   last good content).
    public static func run(collector: Collector, initial: CollectorState, probe: (any RuntimeProbe)?,
                           outputFile: String?, logger: Logger) async throws -> Bool {
        async let runtime: RuntimeState? = if let probe {
            await RuntimeProbeService.probeOnce(probe, after: RuntimeState(), logger: logger)
        } else {
            nil
        }
        var memory = ScanMemory()
        var state = collector.collect(after: initial, memory: &memory)
        guard state.status.lastScanSucceeded == true else { return false }
        // node_exporter's textfile collector refuses series it exports itself (process_*).
        state.status.process = nil
        let exposition = PublishedState(collector: state, runtime: await runtime).exposition()
        if let outputFile {
            try TextfileWriter.write(exposition, to: outputFile)
        } else {
            for part in exposition { _ = try FileDescriptor.standardOutput.writeAll(part.utf8) }
        }
        return true
    }
}
