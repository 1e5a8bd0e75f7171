import Foundation
import Yams

/// A `--web.config.file` in the Prometheus exporter-toolkit format: TLS, basic-auth users and
/// response headers.
public struct WebConfig: Sendable, Equatable {
    /// `tls_server_config`.
    public struct TLS: Sendable, Equatable {
        public var certFile: String
        public var keyFile: String
        public var clientAuth: ClientAuth = .none
        public var clientCAFile: String?
        public var minVersion: TLSVersion = .tls12
        public var maxVersion: TLSVersion?

        /// The GnuTLS priority string for the allowed versions.
        public var priorities: String {
            let allowed = TLSVersion.allCases.filter { $0 >= minVersion && $0 <= (maxVersion ?? .tls13) }
            return "NORMAL:-VERS-ALL" + allowed.reversed().map { ":+\($0.gnutlsName)" }.joined()
        }
    }

    /// `client_auth_type`, as in Go's `tls.ClientAuthType`.
    public enum ClientAuth: String, Sendable, CaseIterable {
        case none = "NoClientCert"
        case request = "RequestClientCert"
        case requireAny = "RequireAnyClientCert"
        case verifyIfGiven = "VerifyClientCertIfGiven"
        case requireAndVerify = "RequireAndVerifyClientCert"
    }

    /// `min_version`/`max_version` values.
    public enum TLSVersion: String, Sendable, CaseIterable, Comparable {
        case tls10 = "TLS10", tls11 = "TLS11", tls12 = "TLS12", tls13 = "TLS13"

        var gnutlsName: String {
            switch self {
            case .tls10: "VERS-TLS1.0"
            case .tls11: "VERS-TLS1.1"
            case .tls12: "VERS-TLS1.2"
            case .tls13: "VERS-TLS1.3"
            }
        }

        public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public var tls: TLS?
    /// `http_server_config.headers`, sorted by name.
    public var headers: [Header] = []
    /// `basic_auth_users`: user name → bcrypt hash.
    public var users: [String: String] = [:]

    public struct Header: Sendable, Equatable {
        public let name: String
        public let value: String
    }

    /// The response headers exporter-toolkit allows in `http_server_config.headers`.
    static let allowedHeaders = ["Cache-Control", "Content-Security-Policy", "Strict-Transport-Security",
                                 "X-Content-Type-Options", "X-Frame-Options", "X-XSS-Protection"]

    public init() {}

    /// Reads and parses the file; relative certificate paths are relative to the file's directory.
    /// - Throws: ``WebConfigError`` naming the file and the problem.
    public static func load(path: String) throws(WebConfigError) -> WebConfig {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw WebConfigError(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        return try parse(text, path: path)
    }

    /// Parses web-config YAML; unknown keys are errors, as in exporter-toolkit.
    public static func parse(_ text: String, path: String) throws(WebConfigError) -> WebConfig {
        func fail(_ reason: String) -> WebConfigError { WebConfigError(path: path, reason: reason) }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw fail(malformedYAMLReason(error))
        }
        var config = WebConfig()
        guard let root else { return config }
        guard let top = root.mapping else { throw fail("the top level is not a mapping") }
        let directory = (path as NSString).deletingLastPathComponent
        func resolve(_ file: String) -> String { file.hasPrefix("/") || directory.isEmpty ? file : directory + "/" + file }
        func string(_ node: Node, _ key: String) throws(WebConfigError) -> String {
            guard let value = node.scalar?.string else { throw fail("\(key) must be a string") }
            return value
        }

        for (keyNode, value) in top {
            let key = keyNode.string ?? ""
            switch key {
            case "tls_server_config":
                guard let mapping = value.mapping else { throw fail("tls_server_config must be a mapping") }
                var cert: String?, keyFile: String?
                var tls = TLS(certFile: "", keyFile: "")
                for (fieldNode, field) in mapping {
                    let name = fieldNode.string ?? ""
                    switch name {
                    case "cert_file": cert = resolve(try string(field, name))
                    case "key_file": keyFile = resolve(try string(field, name))
                    case "client_ca_file": tls.clientCAFile = resolve(try string(field, name))
                    case "client_auth_type":
                        let text = try string(field, name)
                        guard let auth = ClientAuth(rawValue: text) else {
                            throw fail("client_auth_type \"\(text)\" is not one of \(ClientAuth.allCases.map(\.rawValue).joined(separator: ", "))")
                        }
                        tls.clientAuth = auth
                    case "min_version", "max_version":
                        let text = try string(field, name)
                        guard let version = TLSVersion(rawValue: text) else { throw fail("\(name) \"\(text)\" is not one of TLS10, TLS11, TLS12, TLS13") }
                        if name == "min_version" { tls.minVersion = version } else { tls.maxVersion = version }
                    case "cipher_suites", "curve_preferences", "prefer_server_cipher_suites":
                        throw fail("tls_server_config.\(name) is not supported (GnuTLS chooses from its NORMAL priorities)")
                    default: throw fail("unknown field tls_server_config.\(name)")
                    }
                }
                guard let cert, let keyFile else { throw fail("tls_server_config needs cert_file and key_file") }
                tls.certFile = cert
                tls.keyFile = keyFile
                if let max = tls.maxVersion, max < tls.minVersion { throw fail("max_version is below min_version") }
                if tls.clientAuth != .none && tls.clientCAFile == nil {
                    throw fail("client_auth_type \(tls.clientAuth.rawValue) needs client_ca_file")
                }
                config.tls = tls
            case "http_server_config":
                guard let mapping = value.mapping else { throw fail("http_server_config must be a mapping") }
                for (fieldNode, field) in mapping {
                    let name = fieldNode.string ?? ""
                    switch name {
                    case "headers":
                        guard let headers = field.mapping else { throw fail("http_server_config.headers must be a mapping") }
                        for (headerNode, headerValue) in headers {
                            let header = headerNode.string ?? ""
                            guard let canonical = allowedHeaders.first(where: { $0.lowercased() == header.lowercased() }) else {
                                throw fail("header \(header) is not one of \(allowedHeaders.joined(separator: ", "))")
                            }
                            let text = try string(headerValue, header)
                            guard !text.contains(where: \.isNewline) else { throw fail("header \(header) contains a line break") }
                            config.headers.append(Header(name: canonical, value: text))
                        }
                    case "http2": continue  // libmicrohttpd speaks HTTP/1.1 only; accepted and ignored
                    default: throw fail("unknown field http_server_config.\(name)")
                    }
                }
                config.headers.sort { $0.name < $1.name }
            case "basic_auth_users":
                guard let mapping = value.mapping else { throw fail("basic_auth_users must be a mapping of user to bcrypt hash") }
                for (userNode, hashNode) in mapping {
                    let user = userNode.string ?? ""
                    let hash = try string(hashNode, "basic_auth_users.\(user)")
                    guard ["$2a$", "$2b$", "$2y$"].contains(where: hash.hasPrefix), hash.count == 60 else {
                        throw fail("basic_auth_users.\(user) is not a bcrypt hash ($2a$, $2b$ or $2y$)")
                    }
                    guard !user.isEmpty, !user.contains(":") else { throw fail("basic_auth_users has an empty user name or one with a colon") }
                    config.users[user] = hash
                }
            default:
                throw fail("unknown field \(key)")
            }
        }
        return config
    }
}

/// The web configuration cannot be used.
public struct WebConfigError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public var description: String { "web config \(path): \(reason)".escapingLineBreaks }
}
