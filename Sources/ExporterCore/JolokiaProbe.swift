import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
    static let attributePath = "read/org.apache.cassandra.db:type=StorageService/IncrementalBackupsEnabled"

    public init(baseURL: URL, timeout: Duration) {
        self.baseURL = baseURL
        self.timeout = timeout
    }

    /// The URL of the attribute read.
    public var readURL: URL {
        URL(string: baseURL.absoluteString.hasSuffix("/") ? baseURL.absoluteString + Self.attributePath
            : baseURL.absoluteString + "/" + Self.attributePath)!
    }

    public func read() async -> RuntimeReading {
        var request = URLRequest(url: readURL)
        request.timeoutInterval = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = request.timeoutInterval
        configuration.timeoutIntervalForResource = request.timeoutInterval
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        do {
            let (data, response) = try await session.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard status == 200 else {
                return .failed("jolokia answered HTTP \(status): \(String(decoding: data, as: UTF8.self).quotedPrefix())")
            }
            return Self.interpret(data)
        } catch {
            return .failed("jolokia request to \(readURL.absoluteString) failed: \(error.localizedDescription)")
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
            return .failed("jolokia answered with an unexpected body: \(String(decoding: body, as: UTF8.self).quotedPrefix())")
        }
        guard response.status == 200 else {
            return .failed("jolokia status \(response.status): \((response.error ?? "no error text").quotedPrefix(200))")
        }
        guard let value = response.value else {
            return .failed("jolokia answered status 200 without a boolean value")
        }
        return .enabled(value)
    }
}
