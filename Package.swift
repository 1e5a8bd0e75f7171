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
        // MARK: C boundary: the only unsafe interop with libmicrohttpd, zlib, libyaml and libcurl.
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev", "libgnutls28-dev", "libcrypt-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // glibc's malloc.h: the exporter runs on one malloc arena.
        .systemLibrary(name: "CMalloc"),
        // The C that is logic rather than a call adaptor: bcrypt comparison, client-certificate check.
        .target(name: "CWebAuth", dependencies: ["CMicroHTTPD"]),
        .target(name: "MicroHTTPD", dependencies: ["CMicroHTTPD", "CWebAuth", "CZlib"]),
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
                "BackupScan", "Exposition", "HTTPClient", "MicroHTTPD", "YAMLTree",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
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
        .target(name: "TestSupport", dependencies: ["NodeSimulator"], path: "Tests/TestSupport"),
        .testTarget(name: "BackupScanTests", dependencies: ["BackupScan", "NodeSimulator", "TestSupport"]),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition", "BackupScan", "TestSupport"]),
        .testTarget(name: "MicroHTTPDTests", dependencies: ["MicroHTTPD", "CWebAuth", "TestSupport"]),
        .testTarget(name: "YAMLTreeTests", dependencies: ["YAMLTree"]),
        .testTarget(
            name: "ExporterCoreTests",
            dependencies: ["ExporterCore", "BackupScan", "HTTPClient", "MicroHTTPD", "NodeSimulator", "TestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["NodeSimulator", "TestSupport", "MicroHTTPD"],
            exclude: ["Fixtures"]
        ),
    ]
)
