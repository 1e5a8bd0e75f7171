import FoundationEssentials
import Exposition

/// The HTML page served on `/`.
enum LandingPage {
    static func html(state: CollectorState, telemetryPath: String) -> String {
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
        <p>Version \(escape(status.build.version)) (revision \(escape(status.build.revision)), Swift \(escape(status.build.swiftVersion)))</p>
        <p><a href=".\(escape(telemetryPath))">Metrics</a></p>
        <table>
        <tr><th align="left">Last successful scan</th><td>\(escape(lastScan))</td></tr>
        <tr><th align="left">Scan status</th><td>\(scanHealth)</td></tr>
        <tr><th align="left">Tables measured</th><td>\(tables)</td></tr>
        <tr><th align="left">Incremental backup</th><td>\(incrementalSummary(status.incrementalEnabled))</td></tr>
        </table>
        </body>
        </html>

        """
    }

    /// Both sources side by side, and a plain warning when they differ.
    static func incrementalSummary(_ enabled: [StateSource: Bool]) -> String {
        func word(_ value: Bool?) -> String { value.map { $0 ? "enabled" : "disabled" } ?? "unknown" }
        var text = "cassandra.yaml: \(word(enabled[.config])); running node: \(word(enabled[.runtime]))"
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
