import Foundation
import PackagePlugin

/// Records the git revision of the checkout in a generated `Revision.swift` (`buildRevision`),
/// for `--version` and `cassandra_backup_exporter_build_info{revision}`. Outside a git checkout
/// the revision is `unknown`. The file is only rewritten when the revision changes, so builds
/// stay incremental.
@main
struct RevisionPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let outputDirectory = context.pluginWorkDirectoryURL.appending(path: "generated")
        let script = """
            revision=$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
            mkdir -p "$2"
            line="let buildRevision = \\"$revision\\""
            [ "$(cat "$2/Revision.swift" 2>/dev/null)" = "$line" ] || printf '%s\\n' "$line" > "$2/Revision.swift"
            """
        return [
            .prebuildCommand(
                displayName: "Record the git revision",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "sh", context.package.directoryURL.path, outputDirectory.path],
                outputFilesDirectory: outputDirectory
            ),
        ]
    }
}
