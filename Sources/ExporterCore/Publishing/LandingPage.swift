import FoundationEssentials
import Exposition

/// The HTML page served on `/`.
enum LandingPage {
    /// `runtimeProbe`: whether a probe (nodetool or Jolokia) reads the running node's state.
    static func html(state: CollectorState, runtimeProbe: Bool, telemetryPath: String) -> String {
        let status = state.status
        let lastScan = status.lastSuccessTimestamp.map { UTCTimestamp.format($0) } ?? "no successful scan yet"
        let scanHealth = switch status.lastScanSucceeded {
        case true?: "ok"
        case false?: "failing (serving the last good values)"
        case nil: "first scan in progress"
        }
        let tables = state.measurement?.tables.count ?? 0
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Cassandra Backup Exporter</title></head>
        <body>
        <h1>Cassandra Backup Exporter</h1>
        <p>A Prometheus exporter that measures Cassandra's incremental backups and snapshots on this node's data directories: their size, the space only they keep alive, whether they would restore, and whether incremental backup is on.</p>
        <p>Version \(escape(status.build.version)) (revision \(escape(status.build.revision)), Swift \(escape(status.build.swiftVersion)))</p>
        <p><a href=".\(escape(telemetryPath))">Metrics</a></p>
        <table>
        <tr><th align="left">Last successful scan</th><td>\(escape(lastScan))</td></tr>
        <tr><th align="left">Scan status</th><td>\(scanHealth)</td></tr>
        <tr><th align="left">Tables measured</th><td>\(tables)</td></tr>
        <tr><th align="left">Snapshot detail</th><td>\(snapshotDetailSummary(state))</td></tr>
        <tr><th align="left">Incremental backup</th><td>\(incrementalSummary(status.incrementalEnabled, runtimeProbe: runtimeProbe))</td></tr>
        </table>
        </body>
        </html>

        """
    }

    /// Whether user snapshots get per-(table, tag) series, and what the budget left out.
    static func snapshotDetailSummary(_ state: CollectorState) -> String {
        guard state.status.snapshotDetail else { return "off (per-table and per-tag series only)" }
        let selection = SnapshotDetailSelection(tables: state.measurement?.tables ?? [], detail: true,
                                                maxSeries: state.status.snapshotDetailMaxSeries)
        guard selection.droppedSeries > 0 else { return "on" }
        return "<strong>on, \(selection.droppedSeries) series past --collector.snapshot-detail.max-series "
            + "\(state.status.snapshotDetailMaxSeries) not emitted</strong>"
    }

    /// Both sources side by side, why one is unknown, and a plain warning when they differ.
    static func incrementalSummary(_ enabled: [StateSource: Bool], runtimeProbe: Bool) -> String {
        func word(_ value: Bool?) -> String { value.map { $0 ? "enabled" : "disabled" } ?? "unknown" }
        let runtime = enabled[.runtime] != nil || runtimeProbe ? word(enabled[.runtime])
            : "unknown (no runtime probe: no nodetool on PATH, --nodetool.path or --jolokia.url)"
        var text = "cassandra.yaml: \(word(enabled[.config])); running node: \(runtime)"
        switch (enabled[.config], enabled[.runtime]) {
        case (false?, true?): text += " &mdash; <strong>enabled at runtime only: lost at next restart</strong>"
        case (true?, false?): text += " &mdash; <strong>disabled at runtime: cassandra.yaml turns it back on at next restart</strong>"
        default: break
        }
        return text
    }

    static func escape(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
            .replacing("\"", with: "&quot;")
    }
}
