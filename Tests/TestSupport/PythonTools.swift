import Foundation

/// Python programs written by other people, used as independent readers: PyYAML and
/// prometheus_client in the virtual environment `scripts/test.sh` sets up in `.build/python-tools`.
public enum PythonTools {
    /// The environment's interpreter.
    public static var python: String { Repository.path(".build/python-tools/bin/python") }

    /// Runs a Python program given as text with `arguments` (`sys.argv[1:]`).
    public static func run(_ program: String, _ arguments: [String] = [], stdin: String? = nil) throws -> Command.Output {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw CommandError(message: "\(python) is missing: scripts/test.sh sets up the Python tools")
        }
        return try Command.run(python, ["-c", program] + arguments, stdin: stdin)
    }

    /// Every document of the YAML file at `path`, read by PyYAML's safe loader, as JSON objects.
    public static func loadYAML(_ path: String) throws -> [Any] {
        let result = try run("import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))", [path])
        guard result.status == 0, let documents = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [Any] else {
            throw CommandError(message: "PyYAML could not read \(path): \(result.stderr)")
        }
        return documents
    }
}
