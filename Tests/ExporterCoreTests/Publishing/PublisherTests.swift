import ExporterCore
import Exposition
import Testing
import TestSupport

/// What the ``Publisher`` serves after each service reports: the collection, the runtime probe
/// and the configuration reloads, each filled in without waiting for the others.
@Suite struct PublisherTests {
    @Test func withoutARuntimeProbeThereAreNoRuntimeSeries() throws {
        let web = try LocalWebFront(runtimeConfigured: false)
        let samples = try web.samples()
        #expect(samples.value("cassandra_backup_exporter_build_info") == 1)
        #expect(!samples.contains { $0.labels["source"] == "runtime" })
    }

    @Test func eachServicesReportShowsAtOnce() throws {
        let web = try LocalWebFront(runtimeConfigured: true)
        #expect(try web.samples().value("cassandra_backup_incremental_enabled", ["source": "runtime"]) == nil, "nothing read yet")

        web.publisher.publish(RuntimeState().updated(with: .enabled(true), duration: .milliseconds(250)))
        var samples = try web.samples()
        #expect(samples.value("cassandra_backup_incremental_enabled", ["source": "runtime"]) == 1)
        #expect(samples.value("cassandra_backup_state_probe_success", ["source": "runtime"]) == 1)
        #expect(samples.value("cassandra_backup_state_probe_duration_seconds", ["source": "runtime"]) == 0.25)

        var collection = CollectorState(build: .current)
        collection.status.lastScanSucceeded = false
        web.publisher.publish(collection)
        samples = try web.samples()
        #expect(samples.value("cassandra_backup_scan_success") == 0)
        #expect(samples.value("cassandra_backup_incremental_enabled", ["source": "runtime"]) == 1, "a new collection keeps the runtime state")

        web.publisher.publish(ConfigReloadStatus(successful: false, lastSuccessTimestamp: 1_700_000_000), for: .web)
        samples = try web.samples()
        #expect(samples.value("cassandra_backup_exporter_config_last_reload_successful", ["file": "web"]) == 0)
        #expect(samples.value("cassandra_backup_exporter_config_last_reload_success_timestamp_seconds", ["file": "web"]) == 1_700_000_000)
    }

    /// A failed probe keeps the last good value, as the runtime series promise.
    @Test func aFailedProbeKeepsTheLastGoodValue() throws {
        let web = try LocalWebFront(runtimeConfigured: true)
        let good = RuntimeState().updated(with: .enabled(false))
        web.publisher.publish(good.updated(with: .failed("connection refused")))
        let samples = try web.samples()
        #expect(samples.value("cassandra_backup_incremental_enabled", ["source": "runtime"]) == 0)
        #expect(samples.value("cassandra_backup_state_probe_success", ["source": "runtime"]) == 0)
    }
}
