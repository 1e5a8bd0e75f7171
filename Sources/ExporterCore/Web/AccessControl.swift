import FoundationEssentials
import MicroHTTPD
import PasswordHash
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
        /// A user and password seen neither as right nor as wrong under this configuration: the
        /// bcrypt check decides, and it is slow by design, so it runs off the request threads.
        case verify(PasswordCheck)
    }

    /// One bcrypt check still to run; its result is remembered by the ``AccessControl`` that made it.
    public struct PasswordCheck: Equatable, Sendable {
        fileprivate let control: AccessControl
        fileprivate let config: WebConfig
        fileprivate let user: String
        fileprivate let password: String

        /// Runs bcrypt: ``Decision/allow`` or ``Decision/unauthorized``. An unknown user costs one
        /// bcrypt check as well, at the cost of the configured users' hashes, so timing does not
        /// tell a user from a name that is not one (a fixed cost-10 dummy took 52 ms where a
        /// cost-5 user took 2 ms).
        public func run() -> Decision {
            let hash = config.users[user] ?? AccessControl.dummyHash(costOf: config.users.values)
            let matches = PasswordHash.matches(password: password, hash: hash) && config.users[user] != nil
            control.remember(Credentials(user: user, hash: config.users[user], password: password), matched: matches)
            return matches ? .allow : .unauthorized
        }

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.control === rhs.control && lhs.config == rhs.config && lhs.user == rhs.user && lhs.password == rhs.password
        }
    }

    /// A user, the bcrypt hash the configuration holds for that user (`nil`: unknown user) and
    /// a password: what one bcrypt check decides. Keyed by the hash too, as exporter-toolkit's
    /// cache is, so a result stays true across edits of the file that keep that user's hash.
    private struct Credentials: Hashable {
        let user: String
        let hash: String?
        let password: String
    }

    private struct State {
        var config: WebConfig
        /// Credentials that matched their bcrypt hash, as exporter-toolkit caches them.
        var verified: Set<Credentials> = []
        /// Keyed digests of credentials that did not match: a client retrying a wrong password
        /// costs no bcrypt. The digest is a 64-bit SipHash with this process's random seed, so the
        /// password itself is not kept and a collision cannot be aimed at.
        var refused: Set<Int> = []
    }

    /// A bcrypt hash no password matches, with the highest cost among `hashes` (bcrypt's time
    /// depends on its cost alone): `$2y$NN$` and a fixed salt and digest.
    static func dummyHash(costOf hashes: some Sequence<String>) -> String {
        let cost = hashes.compactMap { Int($0.dropFirst(4).prefix(2)) }.max() ?? 10
        return "$2y$" + (cost < 10 ? "0" : "") + "\(cost)$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"
    }

    /// Entries per cache; a full cache starts again empty.
    static let cacheLimit = 1024
    private let state: Mutex<State>

    public init(config: WebConfig) {
        state = Mutex(State(config: config))
    }

    /// Uses a new configuration. Remembered results stay: each is tied to the hash it was
    /// checked against, so it applies only while that user's hash is unchanged, and a scraper
    /// whose password was right goes on without a bcrypt check (none queued behind a flood).
    public func update(_ config: WebConfig) {
        state.withLock { $0.config = config }
    }

    /// The decision for a request's `Authorization` header and client certificate, without
    /// running bcrypt. Both are read only when the configuration needs them, so an open
    /// exporter's scrapes look up nothing.
    public func decide(authorization: @autoclosure () -> String?,
                       certificate: @autoclosure () -> HTTPRequest.ClientCertificate) -> Decision {
        let config = state.withLock { $0.config }
        if let tls = config.tls, tls.clientAuth != .none, tls.clientAuth != .request {
            switch (tls.clientAuth, certificate()) {
            case (.requireAndVerify, .none), (.requireAndVerify, .invalid), (.verifyIfGiven, .invalid), (.requireAny, .none):
                return .forbidden
            default: break
            }
        }
        guard !config.users.isEmpty else { return .allow }
        guard let (user, password) = Self.basicCredentials(authorization()) else { return .unauthorized }
        return state.withLock { state in
            let credentials = Credentials(user: user, hash: state.config.users[user], password: password)
            if state.verified.contains(credentials) { return .allow }
            if state.refused.contains(credentials.hashValue) { return .unauthorized }
            return .verify(PasswordCheck(control: self, config: state.config, user: user, password: password))
        }
    }

    private func remember(_ credentials: Credentials, matched: Bool) {
        state.withLock { state in
            if matched {
                if state.verified.count >= Self.cacheLimit { state.verified.removeAll() }
                state.verified.insert(credentials)
            } else {
                if state.refused.count >= Self.cacheLimit { state.refused.removeAll() }
                state.refused.insert(credentials.hashValue)
            }
        }
    }

    /// User and password from `Authorization: Basic <base64(user:password)>` (RFC 7617).
    public static func basicCredentials(_ header: String?) -> (user: String, password: String)? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let data = Data(base64Encoded: String(parts[1].trimmingWhitespace())),
              // The first colon byte: a colon followed by a combining mark is one Character, so a
              // search by Characters would miss it (found by libFuzzer).
              let colon = data.firstIndex(of: UInt8(ascii: ":")),
              // A NUL byte would end the C string crypt(3) reads: `secret\0junk` would match `secret`.
              !data.contains(0),
              // `String(validating:)`, not `String(data:encoding:)`: Foundation's drops a leading
              // byte order mark, so a user name starting with U+FEFF lost it (found by libFuzzer).
              let user = String(validating: data[..<colon], as: UTF8.self),
              let password = String(validating: data[(colon + 1)...], as: UTF8.self)
        else { return nil }
        return (user, password)
    }
}
