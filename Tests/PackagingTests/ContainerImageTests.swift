import Foundation
import NodeSimulator
import Testing
import TestSupport

/// `make image` for real: the image buildah built is inspected, then the exporter runs from the
/// image's root filesystem (a chroot with /proc mounted: this machine runs no container engine)
/// as the image's user, against a fixture tree mounted read-only, and its `--once` output is
/// checked against find, du and df.
@Suite(.serialized) struct ContainerImageTests {
    static let environment = ["STORAGE_DRIVER": "vfs", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]

    private func buildah(_ arguments: [String]) throws -> String {
        let result = try Command.run("buildah", arguments, environment: Self.environment)
        try #require(result.status == 0, "buildah \(arguments.joined(separator: " ")): \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: mayChangeThisMachine, "builds an image into buildah's storage (needs root): TEST_CHANGES_MACHINE=1 (CI sets it)"))
    func imageRunsTheExporterAsItsUserAgainstAReadOnlyTree() throws {
        let version = try Command.output("bash", [Repository.path("scripts/version.sh")]).trimmingCharacters(in: .whitespacesAndNewlines)
        let made = try Command.run("bash", [Repository.path("scripts/make-image.sh")], environment: ProcessInfo.processInfo.environment)
        try #require(made.status == 0, "make image: \(made.stdout)\(made.stderr)")
        let image = "localhost/cassandra-backup-exporter:\(version)"

        let inspected = try #require(try JSONSerialization.jsonObject(with: Data(try buildah(["inspect", "--type", "image", image]).utf8)) as? [String: Any])
        let config = try #require((inspected["OCIv1"] as? [String: Any])?["config"] as? [String: Any])
        #expect(config["User"] as? String == "65532:65532", "a numeric non-root user")
        #expect(config["Entrypoint"] as? [String] == ["/usr/bin/cassandra-backup-exporter"])
        let labels = config["Labels"] as? [String: String] ?? [:]
        #expect(labels["org.opencontainers.image.version"] == version)
        for label in ["title", "description", "revision", "created"] { #expect(labels["org.opencontainers.image.\(label)"]?.isEmpty == false, "\(label)") }
        let size = try buildah(["images", "--format", "{{.Size}}", image])
        print("image \(image): \(size)")

        // The Kubernetes example runs this image.
        let statefulSet = try String(contentsOfFile: Repository.path("deploy/kubernetes/cassandra-statefulset.yaml"), encoding: .utf8)
        #expect(statefulSet.contains("image: cassandra-backup-exporter:\(version)\n"))

        let container = try buildah(["from", image])
        defer { _ = try? buildah(["rm", container]) }
        let root = try buildah(["mount", container])
        // Nothing to run but the exporter: no shell, no package manager.
        for absent in ["/bin/sh", "/usr/bin/sh", "/usr/bin/apt-get", "/usr/bin/dpkg"] {
            #expect(!FileManager.default.fileExists(atPath: root + absent), "\(absent) in the image")
        }

        let temp = try TemporaryDirectory("image")
        defer { temp.remove() }
        chmod(temp.path, 0o755)
        let directories = try SimulatedNode.jbodAfterSomeLife(in: temp)
        try Command.output("mount", ["--bind", temp.path, root + "/data"])
        defer { _ = try? Command.run("umount", [root + "/data"]) }
        try Command.output("mount", ["-o", "remount,bind,ro", root + "/data"])
        try Command.output("mount", ["-t", "proc", "proc", root + "/proc"])
        defer { _ = try? Command.run("umount", [root + "/proc"]) }
        let inside = { (directory: String) in "/data" + directory.dropFirst(temp.path.count) }
        let result = try Command.run("chroot", ["--userspec=65532:65532", root, "/usr/bin/cassandra-backup-exporter", "--once",
                                                "--collector.snapshot-detail"] + directories.flatMap { ["--cassandra.data-dir", inside($0)] })
        #expect(result.status == 0, "\(result.stderr)")
        try ExpositionOracle.expectEveryMetricEqualsTheOracle(result.stdout, directories: directories, shown: inside)
        // The tree was mounted read-only for real: not even root can write through the mount.
        #expect(!FileManager.default.createFile(atPath: root + "/data/probe", contents: Data()))
    }
}
