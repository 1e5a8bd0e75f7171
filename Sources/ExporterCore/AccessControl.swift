import Foundation
import MicroHTTPD
import Synchronization

/// Decides whether a request may be answered: TLS client certificates and basic-auth users of
/// the current ``WebConfig``.
public final class AccessControl: Sendable {
    public enum Decision: Equatable, Sendable {
        case allow
        /// 401 with `WWW-Authenticate`.
        case unauthorized
        /// 403: a client certificate was required and missing or not valid.
        case forbidden
    }

    private struct State {
        var config: WebConfig
        /// `user NUL password` pairs that matched their bcrypt hash under this config. bcrypt is
        /// slow by design; exporter-toolkit caches successes the same way.
        var verified: Set<String> = []
    }

    static let cacheLimit = 256
    private let state: Mutex<State>

    public init(config: WebConfig) {
        state = Mutex(State(config: config))
    }

    /// Uses a new configuration; remembered successes are forgotten.
    public func update(_ config: WebConfig) {
        state.withLock { $0 = State(config: config) }
    }

    /// The decision for a request's `Authorization` header and client certificate. Both are
    /// read only when the configuration needs them, so an open exporter's scrapes look up nothing.
    public func decide(authorization: @autoclosure () -> String?,
                       certificate: @autoclosure () -> HTTPRequest.ClientCertificate) -> Decision {
        let (config, verified) = state.withLock { ($0.config, $0.verified) }
        if let tls = config.tls, tls.clientAuth != .none, tls.clientAuth != .request {
            switch (tls.clientAuth, certificate()) {
            case (.requireAndVerify, .none), (.requireAndVerify, .invalid), (.verifyIfGiven, .invalid), (.requireAny, .none):
                return .forbidden
            default: break
            }
        }
        guard !config.users.isEmpty else { return .allow }
        guard let (user, password) = Self.basicCredentials(authorization()) else { return .unauthorized }
        let key = user + "\u{0}" + password
        if verified.contains(key) { return .allow }
        // An unknown user still costs one bcrypt check, so timing does not tell users apart.
        let hash = config.users[user] ?? "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"
        guard PasswordHash.matches(password: password, hash: hash), config.users[user] != nil else { return .unauthorized }
        state.withLock { state in
            guard state.config == config else { return }
            if state.verified.count >= Self.cacheLimit { state.verified.removeAll() }
            state.verified.insert(key)
        }
        return .allow
    }

    /// User and password from `Authorization: Basic <base64(user:password)>` (RFC 7617).
    public static func basicCredentials(_ header: String?) -> (user: String, password: String)? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
              // The first colon byte: a colon followed by a combining mark is one Character, so a
              // search by Characters would miss it (found by libFuzzer).
              let colon = data.firstIndex(of: UInt8(ascii: ":")),
              let user = String(data: data[..<colon], encoding: .utf8),
              let password = String(data: data[(colon + 1)...], encoding: .utf8)
        else { return nil }
        return (user, password)
    }
}
