import ArgumentParser
import BackupScan
import ExporterCore
import FoundationEssentials
import Glibc
import Logging
import MicroHTTPD
import ServiceLifecycle

/// What the command does once its flags are valid: `--once`, or the daemon's services.
extension ExporterCommand {
    func run() async throws {
        let logger = makeLogger()
        let descriptors = DescriptorLimit.raiseSoftLimit()
        let settings = try resolveSettings()
        try checkPlaces(dataDirectories: settings.dataDirectories)
        let collector = Collector(scanner: DataDirectoryScanner(dataDirectories: settings.dataDirectories, parallelism: parallelism,
                                                                   budget: maxStatRate > 0 ? IOBudget(callsPerSecond: maxStatRate) : nil,
                                                                   lowPriority: lowPriority, walkTimeout: walkTimeout.duration,
                                                                   sstableSettleSeconds: Double(sstableSettle.milliseconds) / 1000),
                                  configPath: settings.configPath, logger: logger, fullScanEvery: fullScanEvery)
        let initial = CollectorState(build: .current, interval: once ? nil : interval.duration, snapshotDetail: snapshotDetail,
                                     snapshotDetailMaxSeries: snapshotDetailMaxSeries)
        // A broken web config at start-up stops the exporter with one line (also with --once).
        let webConfig = try webConfigFile.map { path throws(ConfigFileError) in try WebConfig.load(path: path) } ?? WebConfig()
        let probe = runtimeProbe()

        if once {
            guard try await OnceRun.run(collector: collector, initial: initial, probe: probe, outputFile: outputFile, logger: logger) else {
                throw ExitCode.failure
            }
            return
        }

        let publisher = Publisher(initial: initial, runtimeConfigured: probe != nil, telemetryPath: telemetryPath)
        let front = try listen(config: webConfig, publisher: publisher, openFiles: descriptors,
                               dataDirectories: settings.dataDirectories, probe: probe, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: CollectorService(collector: collector, interval: interval.duration, initialState: initial) {
                publisher.publish($0)
            }),
            .init(service: HangUpService(logger: logger)),
        ]
        if let webConfigFile {
            services.append(.init(service: WebConfigService(path: webConfigFile, logger: logger, front: front) {
                publisher.publish($0, for: .web)
            }))
        }
        if let probe {
            services.append(.init(service: RuntimeProbeService(probe: probe, interval: probeInterval.duration, logger: logger) {
                publisher.publish($0)
            }))
        }
        // Last: a graceful shutdown stops services in reverse order, so the listener closes first,
        // whatever the others are still waiting for.
        services.append(.init(service: WebFrontService(front: front)))
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        try await group.run()
        logger.info("stopped")
    }

    /// Stops start-up when a data directory is named twice (as the kernel resolves paths:
    /// `/data/` and `/srv/../data` are `/data`), or when `--output.file` is inside one.
    private func checkPlaces(dataDirectories: [String]) throws {
        let resolved = dataDirectories.map { (named: $0, real: Self.realPath($0) ?? $0) }
        for (index, directory) in resolved.enumerated() {
            if let twin = resolved[..<index].first(where: { $0.real == directory.real }) {
                throw ValidationError("data directories \(twin.named) and \(directory.named) are the same directory (\(directory.real)); it would be counted twice")
            }
        }
        if let outputFile {
            let real = Self.realPath(ofNew: outputFile)
            if let directory = resolved.first(where: { real.hasPrefix($0.real.hasSuffix("/") ? $0.real : $0.real + "/") }) {
                throw ValidationError("--output.file \(outputFile) is inside the data directory \(directory.named); the exporter never writes there")
            }
        }
    }

    /// Binds the listeners (or takes systemd's) and starts the web front within the connection
    /// limit the open-file limit leaves; logs each address.
    private func listen(config: WebConfig, publisher: Publisher, openFiles: (before: DescriptorLimit.Limits, after: DescriptorLimit.Limits)?,
                        dataDirectories: [String], probe: (any RuntimeProbe)?, logger: Logger) throws -> WebFront {
        let connections = DescriptorLimit.connectionLimit(
            wanted: maxConnections, soft: openFiles?.after.soft ?? 1024,
            reserved: DescriptorLimit.reserved(parallelism: parallelism, dataDirectories: dataDirectories.count))
        if connections < maxConnections {
            logger.warning("--web.max-connections lowered to what the open-file limit leaves after the scan's share; raise LimitNOFILE (ulimit -n) for more",
                           metadata: ["wanted": "\(maxConnections)", "connections": "\(connections)"])
        }
        let limits = HTTPServer.Limits(connections: connections,
                                       connectionTimeoutSeconds: Int(connectionTimeout.milliseconds / 1000),
                                       connectionsPerAddress: maxConnectionsPerAddress, requestsInFlight: maxRequests)
        let listeners = try systemdSocket ? ListeningSocket.fromSystemd() : listenAddresses.map { address throws(HTTPServerError) in
            try ListeningSocket(address: address)
        }
        let front = try WebFront(config: config, listeners: listeners, limits: limits, telemetryPath: telemetryPath,
                                 publisher: publisher, logger: logger)
        let addresses = systemdSocket ? listeners.map { "systemd:\($0.port)" } : listenAddresses.map(\.description)
        for (address, port) in zip(addresses, front.ports) {
            logger.info("listening", metadata: ["address": "\(address)", "port": "\(port)",
                                                "tls": "\(config.tls != nil)", "basic_auth": "\(!config.users.isEmpty)",
                                                "data_dirs": "\(dataDirectories.joined(separator: ","))",
                                                "runtime_probe": "\(probe?.name ?? "none")",
                                                "open_files_limit": "\(openFiles.map { "\($0.after.soft) (was \($0.before.soft))" } ?? "unknown")",
                                                "max_connections": "\(connections)"])
        }
        return front
    }

    private func makeLogger() -> Logger {
        let level = logLevel.level
        let format = logFormat
        return Logger(label: "cassandra-backup-exporter") { _ in LineLogHandler(format: format, level: level) }
    }

    /// The runtime probe: none with --no-collector.runtime, else Jolokia when a URL is given, else
    /// nodetool from --nodetool.path or PATH, else none.
    private func runtimeProbe() -> (any RuntimeProbe)? {
        guard runtimeProbeEnabled else { return nil }
        if let jolokiaURL, let url = URL(string: jolokiaURL) {
            return JolokiaProbe(baseURL: url, timeout: probeTimeout.duration, proxyFromEnvironment: jolokiaProxyFromEnvironment)
        }
        guard let path = nodetoolPath ?? Self.findOnPath("nodetool") else { return nil }
        return NodetoolProbe(executable: path, arguments: nodetoolArguments.split(separator: " ").map(String.init),
                             timeout: probeTimeout.duration)
    }

    /// `path` with every symlink, `.` and `..` resolved (`realpath(3)`); `nil` when it does not exist.
    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Where a file that may not exist yet would be: its nearest existing ancestor resolved, and
    /// the rest of the path after it.
    private static func realPath(ofNew path: String) -> String {
        var existing = path.hasPrefix("/") ? path : "./" + path
        var rest: [Substring] = []
        while let slash = existing.lastIndex(of: "/") {
            rest.insert(existing[existing.index(after: slash)...], at: 0)
            existing = slash == existing.startIndex ? "/" : String(existing[..<slash])
            if let real = realPath(existing) { return ([real == "/" ? "" : real] + rest.map(String.init)).joined(separator: "/") }
        }
        return path
    }

    private static func findOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Data directories and cassandra.yaml after applying the defaults.
    private func resolveSettings() throws -> (dataDirectories: [String], configPath: String?) {
        var configPath = cassandraConfig
        if configPath == nil {
            let candidate = CassandraConfig.defaultPath()
            if FileManager.default.fileExists(atPath: candidate) { configPath = candidate }
        }
        // A broken cassandra.yaml at start-up stops the exporter with one line.
        let config = try configPath.map { path throws(ConfigFileError) in try CassandraConfig.load(path: path) }
        if !dataDirectories.isEmpty { return (dataDirectories, configPath) }
        let defaults = (config ?? CassandraConfig(incrementalBackups: false, dataFileDirectories: []))
            .tableDirectories(fallback: "/var/lib/cassandra/data")
        for directory in defaults where !FileManager.default.fileExists(atPath: directory) {
            throw ValidationError("data directory \(directory) (default) does not exist; pass --cassandra.data-dir")
        }
        return (defaults, configPath)
    }
}
