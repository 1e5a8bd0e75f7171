import Foundation

/// A project executable started in the background, with its standard error collected.
public final class RunningProcess: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var errorText = ""

    /// Starts `executable` with `arguments`.
    public init(_ executable: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let stderr = Pipe()
        process.standardError = stderr
        stderr.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.errorText += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    /// The process id.
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Whether the process has not exited yet.
    public var isRunning: Bool { process.isRunning }

    /// Everything written to standard error so far.
    public var standardError: String { lock.withLock { errorText } }

    /// Waits until standard error contains a line matching `predicate`, or throws after `timeout` seconds.
    public func waitForLine(timeout: Double = 30, where predicate: (Substring) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = standardError.split(separator: "\n").first(where: predicate) { return String(line) }
            guard process.isRunning else { break }
            usleep(20_000)
        }
        throw CommandError(message: "no matching log line; stderr so far:\n\(standardError)")
    }

    /// The port from the exporter's `listening` log line.
    public func listeningPort() throws -> Int {
        let line = try waitForLine { $0.contains("msg=listening") }
        guard let field = line.split(separator: " ").first(where: { $0.hasPrefix("port=") }), let port = Int(field.dropFirst(5)) else {
            throw CommandError(message: "no port in \(line)")
        }
        return port
    }

    /// Waits until `url` answers 2xx (a server's readiness or health endpoint); throws after
    /// `timeout` seconds with what the process wrote to standard error.
    public func waitUntilReady(_ url: String, timeout: Double = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while (try? Command.output("curl", ["-sf", "-o", "/dev/null", url])) == nil {
            guard Date() < deadline, process.isRunning else {
                throw CommandError(message: "\(process.executableURL?.lastPathComponent ?? "?") did not get ready at \(url): \(standardError)")
            }
            usleep(100_000)
        }
    }

    /// Sends `signal` and waits up to `timeout` seconds; returns the exit status, or nil if still running.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 10) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
