import CCurl
import Dispatch

/// One HTTP or HTTPS GET through libcurl: what the Jolokia probe needs.
///
/// libcurl directly rather than Foundation's `URLSession`: that one lives in FoundationNetworking,
/// which loads all of Foundation with ICU and a second, OpenSSL build of libcurl, about 9 MB of
/// resident pages in an exporter that aims to stay under 40 MB. On Linux `URLSession` is itself a
/// wrapper of libcurl, and no package we may use offers an HTTP client short of SwiftNIO.
public enum HTTPGet {
    /// A complete answer: status code and body.
    public struct Response: Sendable, Equatable {
        public let status: Int
        public let body: [UInt8]
    }

    /// Why no answer arrived, in libcurl's fixed wording: never the URL or anything the server sent.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Fetches `url` (`http` or `https` only; the server's certificate is verified against the
    /// system's trust store, redirects are not followed, user and password in the URL are sent as
    /// Basic authentication). Runs on a Dispatch thread, not the caller's.
    /// - Parameters:
    ///   - timeout: for the whole exchange, connecting included.
    ///   - maxBodyBytes: a longer body is a failure rather than a memory cost.
    ///   - proxyFromEnvironment: use `http_proxy`, `https_proxy`, `all_proxy` and `no_proxy` as
    ///     libcurl reads them. Off by default, as Prometheus' `proxy_from_environment`: a URL with
    ///     credentials would otherwise hand them to whatever proxy the environment names.
    public static func fetch(_ url: String, timeout: Duration, maxBodyBytes: Int = 1 << 20,
                             proxyFromEnvironment: Bool = false) async -> Result<Response, Failure> {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: fetchNow(url, timeout: timeout, maxBodyBytes: maxBodyBytes,
                                                        proxyFromEnvironment: proxyFromEnvironment))
            }
        }
    }

    /// libcurl wants its global set-up once, before any handle.
    private static let setUp: CURLcode = CCurl_globalInit()

    private static func fetchNow(_ url: String, timeout: Duration, maxBodyBytes: Int,
                                 proxyFromEnvironment: Bool) -> Result<Response, Failure> {
        guard setUp == CURLE_OK, let handle = curl_easy_init() else {
            return .failure(Failure(description: "libcurl could not be initialised"))
        }
        defer { curl_easy_cleanup(handle) }
        let body = Body(limit: maxBodyBytes)
        let context = Unmanaged.passUnretained(body).toOpaque()
        let milliseconds = Int(timeout / .milliseconds(1))
        var settings = [
            CCurl_setString(handle, CURLOPT_URL, url),
            CCurl_setString(handle, CURLOPT_PROTOCOLS_STR, "http,https"),
            CCurl_setLong(handle, CURLOPT_NOSIGNAL, 1),  // several threads; no SIGALRM for timeouts
            CCurl_setLong(handle, CURLOPT_TIMEOUT_MS, max(1, milliseconds)),  // 0 would mean none
            CCurl_setWriteFunction(handle, appendToBody),
            CCurl_setPointer(handle, CURLOPT_WRITEDATA, context),
        ]
        // An empty proxy string disables every proxy, the environment's included (CURLOPT_PROXY(3)).
        if !proxyFromEnvironment { settings.append(CCurl_setString(handle, CURLOPT_PROXY, "")) }
        guard settings.allSatisfy({ $0 == CURLE_OK }) else {
            return .failure(Failure(description: "libcurl refused an option"))
        }
        let result = withExtendedLifetime(body) { curl_easy_perform(handle) }
        if body.overLimit {
            return .failure(Failure(description: "the body is longer than \(maxBodyBytes) bytes"))
        }
        guard result == CURLE_OK else {
            return .failure(Failure(description: String(cString: curl_easy_strerror(result))))
        }
        var status = 0
        _ = CCurl_responseCode(handle, &status)
        return .success(Response(status: status, body: body.bytes))
    }
}

/// The body as it arrives, up to a limit.
private final class Body {
    let limit: Int
    var bytes: [UInt8] = []
    var overLimit = false

    init(limit: Int) { self.limit = limit }
}

/// libcurl's write callback: appends to the ``Body`` passed as `CURLOPT_WRITEDATA`; answering
/// less than it was given makes libcurl stop the transfer.
private let appendToBody: curl_write_callback = { data, size, count, context in
    let body = Unmanaged<Body>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    guard body.bytes.count + length <= body.limit else {
        body.overLimit = true
        return 0
    }
    if let data {
        body.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    }
    return length
}
