// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "cassandra-backup-exporter",
    // Linux only: the scanner and the server use Glibc, libmicrohttpd, GnuTLS and libxcrypt;
    // no Apple platform is claimed.
    products: [
        .executable(name: "cassandra-backup-exporter", targets: ["cassandra-backup-exporter"]),
        .executable(name: "cassandra-node-sim", targets: ["cassandra-node-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
    ],
    targets: [
        // MARK: C boundary: the only unsafe interop with libmicrohttpd, zlib, libxcrypt, libyaml and libcurl.
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev", "libgnutls28-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // glibc's malloc.h: the exporter runs on one malloc arena.
        .systemLibrary(name: "CMalloc"),
        // The C that is logic rather than a call adaptor: the TLS client-certificate check
        // (MHD_get_connection_info is variadic) and the bcrypt comparison (libxcrypt's crypt_r).
        .target(name: "CClientCertificate", dependencies: ["CMicroHTTPD"]),
        .target(name: "MicroHTTPD", dependencies: ["CMicroHTTPD", "CClientCertificate", "CZlib"]),
        .target(name: "CBcrypt", linkerSettings: [.linkedLibrary("crypt")]),
        // Password checks against exporter-toolkit's bcrypt hashes.
        .target(name: "PasswordHash", dependencies: ["CBcrypt"]),
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // YAML 1.1 documents as trees of positioned nodes, over libyaml's event API.
        .target(name: "YAMLTree", dependencies: ["CLibYAML"]),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-gnutls-dev"])]
        ),
        // One HTTP(S) GET over libcurl, for the Jolokia probe.
        .target(name: "HTTPClient", dependencies: ["CCurl"]),

        // MARK: Scanning model: walks data directories, knows nothing of HTTP or Prometheus.
        // setpriority and ioprio_set for the walker threads (syscall(2) is variadic).
        .target(name: "CLowPriority"),
        .target(name: "BackupScan", dependencies: ["CLowPriority"]),

        // MARK: Rendering a measurement as Prometheus text.
        .target(name: "Exposition", dependencies: ["BackupScan"]),

        // MARK: The exporter: collector service, HTTP endpoints, configuration.
        .target(
            name: "ExporterCore",
            dependencies: [
                "BackupScan", "Exposition", "HTTPClient", "MicroHTTPD", "PasswordHash", "YAMLTree",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            plugins: ["RevisionPlugin"]
        ),
        .plugin(name: "RevisionPlugin", capability: .buildTool()),

        // MARK: Command line.
        .executableTarget(
            name: "cassandra-backup-exporter",
            dependencies: [
                "CMalloc",
                "ExporterCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),

        // MARK: Demo node: a simulated Cassandra data tree (not part of the exporter binary).
        .target(name: "NodeSimulator"),
        .executableTarget(
            name: "cassandra-node-sim",
            dependencies: [
                "NodeSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Fuzzing: libFuzzer targets (Fuzz/run.sh); built without -sanitize=fuzzer, a corpus replayer.
        .target(name: "FuzzDriver", path: "Fuzz/Driver"),
        .executableTarget(
            name: "cassandra-backup-fuzz",
            dependencies: ["BackupScan", "Exposition", "ExporterCore", "MicroHTTPD", "FuzzDriver"],
            path: "Fuzz/Targets"
        ),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["NodeSimulator"], path: "Tests/TestSupport", exclude: ["Fixtures"]),
        .testTarget(name: "BackupScanTests", dependencies: ["BackupScan", "NodeSimulator", "TestSupport"]),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition", "BackupScan", "TestSupport"]),
        .testTarget(name: "MicroHTTPDTests", dependencies: ["MicroHTTPD", "TestSupport"]),
        .testTarget(name: "PasswordHashTests", dependencies: ["PasswordHash", "TestSupport"]),
        .testTarget(name: "YAMLTreeTests", dependencies: ["YAMLTree"]),
        .testTarget(
            name: "ExporterCoreTests",
            dependencies: ["ExporterCore", "BackupScan", "Exposition", "HTTPClient", "MicroHTTPD", "NodeSimulator", "TestSupport"],
            exclude: ["Collection/Fixtures"]
        ),
        // The exporter's binary, started: endpoints, scans, faults, Prometheus and Alertmanager.
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["NodeSimulator", "TestSupport", "MicroHTTPD"],
            exclude: ["Fixtures"]
        ),
        // What ships beside the binary: the mixin's rules and dashboards, the .deb, the image, deploy/.
        .testTarget(name: "MixinTests", dependencies: ["TestSupport"]),
        .testTarget(name: "PackagingTests", dependencies: ["NodeSimulator", "TestSupport"]),
    ]
)
