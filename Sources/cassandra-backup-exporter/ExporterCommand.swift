import ArgumentParser
import BackupScan
import ExporterCore
import Exposition
import FoundationEssentials
import Glibc
import Logging
import MicroHTTPD
import ServiceLifecycle
import SystemPackage

/// The command line. Flags follow the Prometheus exporters' dotted style.
@main
struct ExporterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cassandra-backup-exporter",
        abstract: "Prometheus exporter for Cassandra incremental backups, snapshots and their disk usage.",
        discussion: """
            Walks Cassandra's data directories every --collector.interval in the background and \
            serves the last measurement on --web.telemetry-path (GET/HEAD, gzip, keep-alive); / is \
            a status page. Scrapes never touch the disk.

            Per table (labels data_dir, keyspace, table, table_id): cassandra_backup_files, \
            _sstables, _size_bytes, _allocated_bytes, _exclusive_bytes (what clearing backups/ \
            frees), _compacted_bytes (backups whose live SSTable is gone), \
            _oldest_file_timestamp_seconds (the shipping job's lag), _newest_file_timestamp_seconds, \
            _live_sstables, _live_allocated_bytes. Per snapshot (plus label snapshot): \
            cassandra_backup_snapshot_files, _size_bytes, _allocated_bytes, _exclusive_bytes, \
            _created_timestamp_seconds, _expires_timestamp_seconds, with label origin (user, dropped, \
            truncated, pre_scrub, upgrade, repair, diagnostic, medusa); user snapshots only with \
            --collector.snapshot-detail. Per table always: cassandra_backup_table_snapshots, \
            _snapshots_allocated_bytes, _snapshots_exclusive_bytes; per tag across the node (labels \
            snapshot, origin): cassandra_backup_snapshot_tag_tables, _files, _size_bytes, \
            _allocated_bytes, _exclusive_bytes (what clearsnapshot -t frees), \
            _created_timestamp_seconds, _expires_timestamp_seconds. Would it restore: per table \
            cassandra_backup_incomplete_sstables, _pending_sstables, _rewritten_components{set}; per \
            tag cassandra_backup_snapshot_tag_incomplete_sstables, \
            _unrestorable_tables{reason}. Per node: cassandra_backup_incremental_enabled{source="config"|"runtime"}, \
            cassandra_backup_filesystem_avail_bytes, _size_bytes, and scan health \
            (cassandra_backup_scan_success, _duration_seconds, _errors_total{reason}).

            Reads the data directories (needs read and execute permission, e.g. through the \
            cassandra group), cassandra.yaml, and each snapshot's manifest.json; runs nodetool \
            statusbackup when configured. Writes nothing and never follows a symlink below a data \
            directory.

            Exit status: 0 after SIGTERM or SIGINT, or after a successful --once; SIGHUP is logged \
            and ignored (the web config and cassandra.yaml are re-read without it). 64 (EX_USAGE), \
            with one line on standard error, for a bad flag or value, or a data directory that is \
            missing or named twice; 1, with one line, for a broken cassandra.yaml or web config, \
            an address that cannot be bound, or a --once run that cannot scan or write its file. Full documentation: \
            README.md, docs/configuration.md, docs/metrics.md, docs/runbook.md.

            Packaged units read /etc/default/cassandra-backup-exporter: ARGS, the flags of \
            cassandra-backup-exporter.service, and TEXTFILE_ARGS, the flags added to the --once run \
            of cassandra-backup-exporter-textfile.service (its timer writes the file node_exporter's \
            textfile collector reads), e.g. TEXTFILE_ARGS="--cassandra.data-dir /srv/cassandra/data".
            """,
        version: BuildInfo.current.versionLine
    )

    @Option(name: .customLong("cassandra.data-dir"),
            help: ArgumentHelp("A data directory to scan; repeat for JBOD. Default: data_file_directories from the Cassandra config, else /var/lib/cassandra/data.", valueName: "path"))
    var dataDirectories: [String] = []

    @Option(name: .customLong("cassandra.config"),
            help: ArgumentHelp("cassandra.yaml. Default: $CASSANDRA_CONF/cassandra.yaml, else /etc/cassandra/cassandra.yaml when present.", valueName: "path"))
    var cassandraConfig: String?

    @Option(name: .customLong("collector.interval"), help: ArgumentHelp("Time between scans (Prometheus duration).", valueName: "duration"), transform: PrometheusDuration.flagValue)
    var interval = PrometheusDuration(milliseconds: 60_000)

    @Option(name: .customLong("collector.parallelism"), help: ArgumentHelp("Table directories measured at once.", valueName: "n"))
    var parallelism = 2

    @Option(name: .customLong("collector.max-stat-rate"),
            help: ArgumentHelp("At most this many directory reads and fstatat calls a second, spread evenly, so that a walk of a cold tree cannot keep the disk busy. 0: no limit.", valueName: "n"))
    var maxStatRate = 0.0

    @Flag(name: .customLong("collector.low-priority"), inversion: .prefixedNo,
          help: "Walk on threads at nice 10 with idle-class I/O, so the node's own work goes first. The I/O class has no effect under the none and mq-deadline block schedulers (use --collector.max-stat-rate there).")
    var lowPriority = true

    @Option(name: .customLong("collector.full-scan-every"),
            help: ArgumentHelp("Walk every table on every Nth scan; between them, tables whose directories did not change are reused. 1 walks everything every time; the default, 60, is hourly at the default interval.", valueName: "n"))
    var fullScanEvery = 60

    @Option(name: .customLong("collector.walk-timeout"),
            help: ArgumentHelp("A data directory's statvfs or listing, or a table's walk, whose calls into the filesystem stand still this long (a hung NFS or FUSE mount, a dying disk) is reported stuck (cassandra_backup_data_dir_stuck, cassandra_backup_table_stuck_seconds) and left to its thread; the scan goes on and publishes the rest, and the place is not walked again until the call returns. Its series keep their last values.", valueName: "duration"), transform: PrometheusDuration.flagValue)
    var walkTimeout = PrometheusDuration(milliseconds: Int64(DataDirectoryScanner.defaultWalkTimeout / .milliseconds(1)))

    @Option(name: .customLong("collector.sstable-settle"),
            help: ArgumentHelp("An SSTable in backups/ or a snapshot whose components (or, when one is missing, its directory) changed less than this long ago is pending, not yet judged complete or incomplete: Cassandra links components one by one and shipping jobs delete them one by one.", valueName: "duration"), transform: PrometheusDuration.flagValue)
    var sstableSettle = PrometheusDuration(milliseconds: Int64(SSTableSettle.defaultSeconds * 1000))

    @Flag(name: .customLong("collector.snapshot-detail"), inversion: .prefixedNo,
          help: "Also emit the per-(table, tag) snapshot series for user snapshots. Off by default: a retention of N daily snapshots of T tables makes N×T series per metric; the per-table totals and per-tag roll-ups answer the usual questions. Automatic snapshots (dropped, truncated, pre_scrub, upgrade, repair, diagnostic) always get them.")
    var snapshotDetail = false

    @Option(name: .customLong("collector.snapshot-detail.max-series"),
            help: ArgumentHelp("The most series --collector.snapshot-detail may add: tables in order, each with all its user snapshots, until the next would pass it; the rest are counted in cassandra_backup_snapshot_detail_dropped_series. The default fits the 128 MiB of the Kubernetes example at 1,000 tables x 20 snapshots. 0: no limit.", valueName: "n"))
    var snapshotDetailMaxSeries = SnapshotDetailSelection.defaultMaxSeries

    @Flag(name: .customLong("collector.runtime"), inversion: .prefixedNo,
          help: "Read the running node's incremental-backup state (cassandra_backup_incremental_enabled{source=\"runtime\"}) through --jolokia.url, --nodetool.path or a nodetool on PATH. --no-collector.runtime runs no probe, where a JVM cannot start (MemoryDenyWriteExecute) or JMX is not reachable.")
    var runtimeProbeEnabled = true

    @Option(name: .customLong("nodetool.path"),
            help: ArgumentHelp("nodetool, run as `nodetool <args> statusbackup` for the runtime state. Default: nodetool on PATH, if any.", valueName: "path"))
    var nodetoolPath: String?

    @Option(name: .customLong("nodetool.args"), parsing: .unconditional,
            help: ArgumentHelp("Options passed to nodetool before the subcommand, split on spaces (no shell), e.g. \"-h 127.0.0.1 -p 7199 -u monitor -pwf /etc/cassandra/jmx.pw\".", valueName: "args"))
    var nodetoolArguments = ""

    @Option(name: .customLong("collector.runtime.interval"),
            help: ArgumentHelp("Time between runtime probes, nodetool or Jolokia (each nodetool run starts a JVM).", valueName: "duration"), transform: PrometheusDuration.flagValue)
    var runtimeInterval = PrometheusDuration(milliseconds: 300_000)

    @Option(name: .customLong("collector.runtime.timeout"),
            help: ArgumentHelp("Time a runtime probe, nodetool or Jolokia, may take; nodetool's whole process group is killed after it.", valueName: "duration"), transform: PrometheusDuration.flagValue)
    var runtimeTimeout = PrometheusDuration(milliseconds: 30_000)

    /// The names these had before they governed Jolokia too; kept for existing units and scripts.
    @Option(name: .customLong("nodetool.interval"), help: .hidden, transform: PrometheusDuration.flagValue) var legacyRuntimeInterval: PrometheusDuration?
    @Option(name: .customLong("nodetool.timeout"), help: .hidden, transform: PrometheusDuration.flagValue) var legacyRuntimeTimeout: PrometheusDuration?

    @Option(name: .customLong("jolokia.url"),
            help: ArgumentHelp("Jolokia agent base URL (e.g. http://127.0.0.1:8778/jolokia): read the runtime state over HTTP instead of running nodetool.", valueName: "url"))
    var jolokiaURL: String?

    @Flag(name: .customLong("jolokia.proxy-from-environment"),
          help: "Reach the Jolokia agent through the proxy that http_proxy, https_proxy, all_proxy and no_proxy name. Off by default (as Prometheus' proxy_from_environment): credentials in --jolokia.url would go to that proxy.")
    var jolokiaProxyFromEnvironment = false

    @Flag(name: .customLong("once"), help: "Scan once, print the exposition to standard output and exit. No process_* series: the output is meant for node_exporter's textfile collector, which exports its own.")
    var once = false

    @Option(name: .customLong("output.file"),
            help: ArgumentHelp("With --once: write the exposition to this file instead of standard output, atomically (a temporary file in the same directory, fsync, rename), mode 0644; a failed scan leaves the file as it was. For node_exporter's textfile collector the name must end in .prom.", valueName: "path"))
    var outputFile: String?

    @Option(name: .customLong("web.listen-address"),
            help: ArgumentHelp("Address to listen on; repeat to listen on several (as exporter-toolkit binds each).", valueName: "host:port"))
    var listenAddresses = [ListenAddress(host: "", port: 9_989)]

    @Flag(name: .customLong("web.systemd-socket"),
          help: "Serve on the sockets systemd passes (socket activation) instead of --web.listen-address.")
    var systemdSocket = false

    @Option(name: .customLong("web.max-connections"),
            help: ArgumentHelp("Connections held at once; more are refused until some close. Lowered at start to what the open-file limit leaves after the scan's share (logged).", valueName: "n"))
    var maxConnections = 2048

    @Option(name: .customLong("web.max-connections-per-address"),
            help: ArgumentHelp("Connections held at once from one IP address, so that one client cannot take every slot from the scrapers. 0: no limit.", valueName: "n"))
    var maxConnectionsPerAddress = 64

    @Option(name: .customLong("web.max-requests"),
            help: ArgumentHelp("Metrics responses being sent at once (each slow reader holds its body in memory); more get 503 (as node_exporter's --web.max-requests). 0: no limit.", valueName: "n"))
    var maxRequests = 40

    @Option(name: .customLong("web.connection-timeout"),
            help: ArgumentHelp("A connection idle this long is closed (also a client dribbling a request).", valueName: "duration"), transform: PrometheusDuration.flagValue)
    var connectionTimeout = PrometheusDuration(milliseconds: 30_000)

    @Option(name: .customLong("web.telemetry-path"), help: ArgumentHelp("Path of the metrics.", valueName: "path"))
    var telemetryPath = "/metrics"

    @Option(name: .customLong("web.config.file"),
            help: ArgumentHelp("Exporter-toolkit web configuration: tls_server_config, basic_auth_users (bcrypt), http_server_config.headers. Re-read when it changes.", valueName: "path"))
    var webConfigFile: String?

    @Option(name: .customLong("log.level"), help: ArgumentHelp("debug, info, warn or error.", valueName: "level"))
    var logLevel = LogLevel.info

    @Option(name: .customLong("log.format"), help: ArgumentHelp("logfmt or json.", valueName: "format"))
    var logFormat = LogFormat.logfmt

    func validate() throws {
        guard telemetryPath.hasPrefix("/"), telemetryPath != "/" else {
            throw ValidationError("--web.telemetry-path must start with / and not be / itself: \(telemetryPath)")
        }
        guard parallelism >= 1 else { throw ValidationError("--collector.parallelism must be at least 1") }
        // libmicrohttpd takes unsigned ints; past the kernel's own open-file ceiling (nr_open,
        // 1,048,576 by default) a value is a typo, never a wish.
        for (flag, value, least) in [("web.max-connections", maxConnections, 1), ("web.max-connections-per-address", maxConnectionsPerAddress, 0),
                                     ("web.max-requests", maxRequests, 0),
                                     ("collector.snapshot-detail.max-series", snapshotDetailMaxSeries, 0)] where !(least...Self.largestCount).contains(value) {
            throw ValidationError("--\(flag) must be from \(least) to \(Self.largestCount)")
        }
        guard connectionTimeout.milliseconds >= 1000 else {
            throw ValidationError("--web.connection-timeout must be at least 1s (libmicrohttpd counts whole seconds)")
        }
        guard fullScanEvery >= 1 else { throw ValidationError("--collector.full-scan-every must be at least 1") }
        guard maxStatRate >= 0, maxStatRate.isFinite else { throw ValidationError("--collector.max-stat-rate must be 0 (no limit) or more") }
        if outputFile != nil, !once { throw ValidationError("--output.file needs --once") }
        for (new, old, given) in [("collector.runtime.interval", "nodetool.interval", legacyRuntimeInterval),
                                  ("collector.runtime.timeout", "nodetool.timeout", legacyRuntimeTimeout)] where given != nil {
            if CommandLine.arguments.contains(where: { $0 == "--\(new)" || $0.hasPrefix("--\(new)=") }) {
                throw ValidationError("--\(old) is the old name of --\(new): give one of them")
            }
        }
        if let jolokiaURL {
            guard let url = URL(string: jolokiaURL), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                // Not quoted, not even in part: where a mistyped URL holds its password is anyone's guess.
                throw ValidationError("--jolokia.url: expected an http:// or https:// URL with a host (the value is not shown: it may hold a password)")
            }
        }
        for (flag, duration, limit) in durationLimits where duration.milliseconds > limit.milliseconds {
            throw ValidationError("--\(flag) \(duration) is longer than \(limit), the most it may be")
        }
        if let nodetoolPath, !FileManager.default.isExecutableFile(atPath: nodetoolPath) {
            throw ValidationError("--nodetool.path \(nodetoolPath): not an executable file")
        }
        for directory in dataDirectories {
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory else {
                throw ValidationError("--cassandra.data-dir \(directory): no such directory")
            }
        }
    }

    /// The largest count a connection or request flag takes.
    static let largestCount = 1 << 20

    /// Upper bounds of the duration flags: beyond them a value is a typo, and libmicrohttpd's
    /// connection timeout and the timers take no more. A day between scans or probes is already
    /// blind for the alerts; a probe or an idle connection never needs an hour.
    private var durationLimits: [(flag: String, duration: PrometheusDuration, limit: PrometheusDuration)] {
        let day = PrometheusDuration(milliseconds: 86_400_000), hour = PrometheusDuration(milliseconds: 3_600_000)
        return [("collector.interval", interval, day), ("collector.walk-timeout", walkTimeout, hour), ("collector.sstable-settle", sstableSettle, day),
                (legacyRuntimeInterval == nil ? "collector.runtime.interval" : "nodetool.interval", probeInterval, day),
                (legacyRuntimeTimeout == nil ? "collector.runtime.timeout" : "nodetool.timeout", probeTimeout, hour),
                ("web.connection-timeout", connectionTimeout, hour)]
    }

    /// The runtime probe's interval and timeout, under their new or their old names.
    var probeInterval: PrometheusDuration { legacyRuntimeInterval ?? runtimeInterval }
    var probeTimeout: PrometheusDuration { legacyRuntimeTimeout ?? runtimeTimeout }

    /// Prints errors as one line on standard error instead of ArgumentParser's usage block.
    static func main() async {
        useOneMallocArena()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is CleanExit {
                exit(withError: error)
            }
            if !(error is ExitCode) {
                let message = "\(message(for: error))".split(separator: "\n").first.map(String.init) ?? "\(error)"
                _ = try? FileDescriptor.standardError.writeAll("cassandra-backup-exporter: \(message)\n".utf8)
            }
            Glibc.exit(code.rawValue == 0 ? 1 : code.rawValue)
        }
    }
}
