import FoundationEssentials
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs `nodetool statusbackup`, which prints exactly `running` or `not running`
/// (Cassandra's `tools/nodetool/StatusBackup.java`).
///
/// No shell: the executable and its arguments are an argv list. The command runs in its own
/// process group; on timeout the whole group is killed (nodetool is a shell script that starts a
/// JVM). Output beyond 64 KiB counts as a failure.
public struct NodetoolProbe: RuntimeProbe {
    public let name = "nodetool"
    /// The nodetool executable.
    public let executable: String
    /// Options before the subcommand: host, port, credentials (`-h`, `-p`, `-u`, `-pwf`).
    public let arguments: [String]
    public let timeout: Duration
    static let outputLimit = 64 * 1024

    public init(executable: String, arguments: [String], timeout: Duration) {
        self.executable = executable
        self.arguments = arguments
        self.timeout = timeout
    }

    public func read() async -> RuntimeReading {
        var options = PlatformOptions()
        options.processGroupID = 0  // a new group led by nodetool, so a timeout can kill all of it
        options.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .seconds(1))]
        // The arguments may hold a JMX password (`-pw`): never in a message.
        let command = "\(executable) statusbackup"
        let (executable, arguments, timeout, platformOptions) = (self.executable, self.arguments, self.timeout, options)
        do {
            let result = try await withThrowingTaskGroup(of: ExecutionRecord?.self) { group in
                group.addTask {
                    let result = try await Subprocess.run(.path(FilePath(executable)), arguments: Arguments(arguments + ["statusbackup"]),
                                                          platformOptions: platformOptions,
                                                          output: .string(limit: Self.outputLimit),
                                                          error: .string(limit: Self.outputLimit))
                    return ExecutionRecord(status: result.terminationStatus, output: result.standardOutput,
                                           error: result.standardError)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
            guard let result else {
                return .failed("\(command) did not finish within \(timeout); its process group was killed")
            }
            return Self.interpret(result)
        } catch {
            return .failed("\(command) could not be run: \(String(describing: error).escapingLineBreaks)")
        }
    }

    struct ExecutionRecord: Sendable {
        let status: TerminationStatus
        let output: String
        let error: String
    }

    /// Maps nodetool's exit status and output to a reading. Failures describe the output by its
    /// size and by a few known causes; they never quote it (it may echo credentials).
    static func interpret(_ record: ExecutionRecord) -> RuntimeReading {
        guard record.status.isSuccess else {
            let cause = knownCause(record.error + record.output).map { "; \($0)" } ?? ""
            return .failed("nodetool statusbackup exited with \(record.status)\(cause) (\(size(record.error)) on stderr, not shown)")
        }
        return interpret(output: record.output)
    }

    /// `running` → enabled, `not running` → disabled, anything else → failure.
    public static func interpret(output: String) -> RuntimeReading {
        switch output.trimmingWhitespace() {
        case "running": .enabled(true)
        case "not running": .enabled(false)
        default: .failed("unexpected nodetool statusbackup output (\(size(output)), not shown; expected running or not running)")
        }
    }

    /// nodetool's usual failures, recognised by the exception names the JMX client prints.
    private static func knownCause(_ text: String) -> String? {
        if text.contains("ConnectException") || text.contains("Connection refused") { return "could not connect to the node's JMX port" }
        if text.contains("SecurityException") || text.contains("Authentication failed") { return "JMX authentication failed" }
        if text.contains("UnknownHostException") { return "unknown JMX host" }
        return nil
    }

    private static func size(_ text: String) -> String {
        "\(text.utf8.count) bytes in \(text.split(whereSeparator: \.isNewline).count) lines"
    }
}
