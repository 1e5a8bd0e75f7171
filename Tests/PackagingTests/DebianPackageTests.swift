import Foundation
import NodeSimulator
import Testing
import TestSupport

/// `make deb` for real: lintian on the package, then install, upgrade and purge on this machine
/// with apt-get and dpkg, as an operator would.
@Suite(.serialized) struct DebianPackageTests {
    static let package = "cassandra-backup-exporter"

    /// Builds the package with `version` and returns its path.
    private func build(version: String) throws -> String {
        let result = try Command.run("bash", [Repository.path("scripts/make-deb.sh")], environment: ProcessInfo.processInfo.environment.merging(["DEB_VERSION": version]) { $1 })
        try #require(result.status == 0, "make deb: \(result.stdout)\(result.stderr)")
        let deb = Repository.path("dist/\(Self.package)_\(version)_amd64.deb")
        try #require(FileManager.default.fileExists(atPath: deb), "\(result.stdout)")
        return deb
    }

    /// Every path under the directories a package may touch, except the package manager's own
    /// records and the backups adduser keeps of the account files (/etc/passwd- and friends).
    private func listing() throws -> Set<String> {
        let output = try Command.output("find", ["/etc", "/usr", "/lib", "/var/lib", "/opt", "-xdev",
                                                 "-not", "-path", "/var/lib/dpkg/*", "-not", "-path", "/var/lib/apt/*"])
        return Set(output.split(separator: "\n").map(String.init)).subtracting(["/etc/passwd-", "/etc/group-", "/etc/shadow-", "/etc/gshadow-"])
    }

    private func apt(_ arguments: [String]) throws {
        let result = try Command.run("apt-get", ["-y", "-q", "-o", "Dpkg::Options::=--force-confold"] + arguments,
                                     environment: ["DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
        try #require(result.status == 0, "apt-get \(arguments.joined(separator: " ")): \(result.stdout)\(result.stderr)")
    }

    /// The installed textfile service's command, run the way its unit runs it (root's user id
    /// without capabilities, the cassandra group, `$TEXTFILE_ARGS` from the installed default
    /// file, which names the data directory here) against Debian's prometheus-node-exporter
    /// layout: it writes `/var/lib/prometheus/node-exporter` (root:root 0755), where the
    /// exporter's own user may not, and runs no nodetool although one is on PATH.
    private func textfileServiceWritesDebiansTextfileDirectory() throws {
        let directory = "/var/lib/prometheus/node-exporter"
        let mode = try Command.output("stat", ["-c", "%U:%G %a", directory]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(mode == "root:root 755", "Debian's layout: \(mode)")
        let unit = try String(contentsOfFile: "/lib/systemd/system/\(Self.package)-textfile.service", encoding: .utf8)
        #expect(unit.contains("EnvironmentFile=-/etc/default/\(Self.package)\n"))
        let temp = try TemporaryDirectory("textfile-unit")
        defer { temp.remove() }
        chmod(temp.path, 0o755)
        try FileManager.default.createDirectory(atPath: temp("bin"), withIntermediateDirectories: true)
        try SimulatedNode(dataDirectories: [temp("data")], tables: Array(TableSpec.demoSchema.prefix(2)), seed: 3).populate(flushes: 1)
        _ = try Command.run("chmod", ["-R", "o-rwx", temp("data")])
        _ = try Command.run("chgrp", ["-R", "cassandra", temp("data")])
        try StandInNodetool.write("touch \(temp("nodetool-ran"))\necho running", to: temp("bin/nodetool"))
        // The operator's setting, in the installed file where its comments say to put it; expanded
        // as systemd expands an unquoted $VARIABLE: split on whitespace.
        let defaults = "/etc/default/\(Self.package)"
        let original = try String(contentsOfFile: defaults, encoding: .utf8)
        defer { try? original.write(toFile: defaults, atomically: false, encoding: .utf8) }
        #expect(original.contains("\nTEXTFILE_ARGS=\"\"\n") && original.contains("\nARGS=\"\"\n"), "both variables, documented")
        try original.replacingOccurrences(of: "\nTEXTFILE_ARGS=\"\"\n", with: "\nTEXTFILE_ARGS=\"--cassandra.data-dir \(temp("data"))\"\n")
            .write(toFile: defaults, atomically: false, encoding: .utf8)
        let textfileArgs = try Command.output("bash", ["-c", "set -a; . \(defaults); printf '%s\\n' $TEXTFILE_ARGS"])
            .split(separator: "\n").map(String.init)
        #expect(textfileArgs == ["--cassandra.data-dir", temp("data")], "\(textfileArgs)")
        let command = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") }).dropFirst("ExecStart=".count)
            .split(separator: " ").flatMap { $0 == "$TEXTFILE_ARGS" ? textfileArgs : [String($0)] }
        let output = directory + "/cassandra_backup.prom"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let arguments = ["--reuid=0", "--regid=0", "--groups=cassandra", "--bounding-set=-all", "--inh-caps=-all", "--"]
            + command
        let asUnit = try Command.run("setpriv", arguments, environment: ["PATH": temp("bin") + ":/usr/bin:/bin"])
        #expect(asUnit.status == 0, "\(asUnit.stderr)")
        #expect(try String(contentsOfFile: output, encoding: .utf8).contains("cassandra_backup_files{"))
        #expect(!FileManager.default.fileExists(atPath: temp("nodetool-ran")), "--no-collector.runtime runs no nodetool")
        // The exporter's own user, as the unit ran it before: refused by the directory's mode.
        let asUser = try Command.run("setpriv", ["--reuid=\(Self.package)", "--regid=\(Self.package)", "--groups=cassandra", "--"]
                                     + command)
        #expect(asUser.status != 0 && asUser.stderr.contains("Permission denied"), "\(asUser.stderr)")
    }

    @Test(.enabled(if: mayChangeThisMachine, "installs and purges a package on this machine: root and TEST_CHANGES_MACHINE=1 (CI sets it)"))
    func lintianInstallUpgradePurge() throws {
        let first = try build(version: "\(try Repository.version)-1")
        let lintian = try Command.run("lintian", ["--fail-on", "error", first])
        print("lintian: \(lintian.stdout.split(separator: "\n").filter { !$0.isEmpty }.joined(separator: "; "))")
        #expect(lintian.status == 0 && !lintian.stdout.contains("\nE: ") && !lintian.stdout.hasPrefix("E: "), "\(lintian.stdout)\(lintian.stderr)")
        let size = try FileManager.default.attributesOfItem(atPath: first)[.size] as? Int ?? 0
        let installedSize = try Command.output("dpkg-deb", ["-f", first, "Installed-Size"]).trimmingCharacters(in: .whitespacesAndNewlines)
        print("package: \(size) bytes, installed \(installedSize) KiB")
        // Dependencies come from dpkg-shlibdeps: the C libraries the binary links, not the Swift runtime.
        let depends = try Command.output("dpkg-deb", ["-f", first, "Depends"])
        for library in ["libmicrohttpd12", "libgnutls30", "libyaml-0-2", "libc6", "adduser"] { #expect(depends.contains(library), "\(depends)") }
        #expect(!depends.contains("swift"), "\(depends)")

        if (try? Command.output("dpkg-query", ["-W", "-f", "${Status}", Self.package]))?.contains("installed") == true {
            try apt(["purge", Self.package])
        }
        let before = try listing()

        try apt(["install", first])
        #expect(try Command.output("/usr/bin/cassandra-backup-exporter", ["--version"]).hasPrefix("cassandra-backup-exporter, version \(try Repository.version) "))
        let groups = try Command.output("id", ["-nG", Self.package])
        #expect(groups.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.contains("cassandra"), "groups: \(groups)")
        #expect(try Command.output("getent", ["passwd", Self.package]).contains(":/nonexistent:"), "a system user without a home")
        // Enabled the way deb-systemd-helper does it (started only where systemd runs: not in this container).
        #expect(FileManager.default.fileExists(atPath: "/etc/systemd/system/multi-user.target.wants/\(Self.package).service"))
        for file in ["/usr/share/\(Self.package)/alerts/cassandra-backup.rules.yml", "/usr/share/\(Self.package)/dashboards/cassandra-backup-node.json",
                     "/usr/share/man/man1/\(Self.package).1.gz", "/lib/systemd/system/\(Self.package).service"] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file)")
        }
        let unit = try String(contentsOfFile: "/lib/systemd/system/\(Self.package).service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/bin/cassandra-backup-exporter $ARGS"))
        // The textfile units: installed, not enabled.
        for file in ["/lib/systemd/system/\(Self.package)-textfile.service", "/lib/systemd/system/\(Self.package)-textfile.timer"] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/etc/systemd/system/timers.target.wants/\(Self.package)-textfile.timer"))
        try textfileServiceWritesDebiansTextfileDirectory()

        // The operator's edit of the conffile survives an upgrade to a higher version.
        let defaults = "/etc/default/\(Self.package)"
        try (try String(contentsOfFile: defaults, encoding: .utf8) + "ARGS=\"--collector.interval 30s\"\n").write(toFile: defaults, atomically: false, encoding: .utf8)
        let edited = try String(contentsOfFile: defaults, encoding: .utf8)
        try apt(["install", try build(version: "\(try Repository.version)-2")])
        #expect(try Command.output("dpkg-query", ["-W", "-f", "${Version}", Self.package]) == "\(try Repository.version)-2")
        #expect(try String(contentsOfFile: defaults, encoding: .utf8) == edited, "the edited /etc/default file was kept")

        try apt(["purge", Self.package])
        let after = try listing()
        #expect(after.subtracting(before).isEmpty, "left behind: \(after.subtracting(before).sorted())")
        #expect(before.subtracting(after).isEmpty, "removed: \(before.subtracting(after).sorted())")
    }
}
