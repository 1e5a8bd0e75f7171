import FoundationEssentials
import HTTPClient

/// Reads `IncrementalBackupsEnabled` of the MBean `org.apache.cassandra.db:type=StorageService`
/// through a Jolokia agent's read endpoint, for nodes where no local JVM should run nodetool.
///
/// Jolokia answers `{"request": {...}, "value": true, "status": 200}`, or
/// `{"status": 404, "error": "..."}` when the attribute cannot be read.
public struct JolokiaProbe: RuntimeProbe {
    public let name = "jolokia"
    /// The agent's base URL, e.g. `http://127.0.0.1:8778/jolokia`.
    public let baseURL: URL
    public let timeout: Duration
    /// Whether the proxy environment variables apply (`--jolokia.proxy-from-environment`).
    public let proxyFromEnvironment: Bool
    static let attributePath = "read/org.apache.cassandra.db:type=StorageService/IncrementalBackupsEnabled"

    public init(baseURL: URL, timeout: Duration, proxyFromEnvironment: Bool = false) {
        self.baseURL = baseURL
        self.timeout = timeout
        self.proxyFromEnvironment = proxyFromEnvironment
    }

    /// The URL of the attribute read.
    public var readURL: URL {
        URL(string: baseURL.absoluteString.hasSuffix("/") ? baseURL.absoluteString + Self.attributePath
            : baseURL.absoluteString + "/" + Self.attributePath)!
    }

    public func read() async -> RuntimeReading {
        switch await HTTPGet.fetch(readURL.absoluteString, timeout: timeout, proxyFromEnvironment: proxyFromEnvironment) {
        case .success(let response) where response.status == 200:
            return Self.interpret(Data(response.body))
        case .success(let response):
            return .failed("jolokia answered HTTP \(response.status) (\(response.body.count) bytes of body, not shown)")
        case .failure(let failure):
            return .failed("jolokia request to \(Self.redacted(readURL)) failed: \(failure.description.escapingLineBreaks)")
        }
    }

    /// The URL without user, password, query and fragment, for messages.
    static func redacted(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "the agent" }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        return components.string ?? "the agent"
    }

    /// Jolokia's status codes (its protocol documentation, "Responses").
    private static func meaning(ofStatus status: Int) -> String {
        switch status {
        case 400: ": bad request"
        case 403: ": forbidden by the agent's access policy"
        case 404: ": the MBean or attribute was not found"
        case 500: ": the agent failed"
        default: ""
        }
    }

    /// The fields of a read response the probe uses.
    private struct ReadResponse: Decodable {
        let status: Int
        let value: Bool?
        let error: String?
    }

    /// Maps a Jolokia response body to a reading.
    public static func interpret(_ body: Data) -> RuntimeReading {
        let response: ReadResponse
        do {
            response = try JSONDecoder().decode(ReadResponse.self, from: body)
        } catch {
            return .failed("jolokia answered with a body that is not a read response (\(body.count) bytes, not shown)")
        }
        guard response.status == 200 else {
            return .failed("jolokia status \(response.status)\(Self.meaning(ofStatus: response.status)) (the agent's error text is not shown)")
        }
        guard let value = response.value else {
            return .failed("jolokia answered status 200 without a boolean value")
        }
        return .enabled(value)
    }
}
