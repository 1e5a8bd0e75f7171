import FoundationEssentials
import YAMLTree

/// A `--web.config.file` in the Prometheus exporter-toolkit format: TLS, basic-auth users and
/// response headers.
public struct WebConfig: ConfigFileFormat, Sendable, Equatable {
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

        /// The value as exporter-toolkit reads it: also `""` (none) and `RequireClientCert`, kept
        /// there for backwards compatibility (`RequireAnyClientCert`).
        init?(setting: String) {
            switch setting {
            case "": self = .none
            case "RequireClientCert": self = .requireAny
            default: self.init(rawValue: setting)
            }
        }
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

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The response headers exporter-toolkit allows in `http_server_config.headers` (names as
    /// written, case-sensitive), each with the only values it allows; an empty list allows any
    /// value (`extraHTTPHeaders` in its `web/handler.go`).
    static let allowedHeaders: KeyValuePairs<String, [String]> = [
        "Content-Security-Policy": [], "Strict-Transport-Security": [],
        "X-Content-Type-Options": ["nosniff"], "X-Frame-Options": ["deny", "sameorigin"], "X-XSS-Protection": [],
    ]

    public init() {}

    public static let file = ConfigFileError.File.web

    /// Parses web-config YAML as exporter-toolkit does (go-yaml's strict mode): unknown keys and
    /// duplicated keys are errors. Errors name the line and column and the setting, never a value
    /// or a key the format does not define. Relative certificate paths are relative to the
    /// directory of `path`.
    public static func parse(bytes: [UInt8], path: String) throws(ConfigFileError) -> WebConfig {
        let reader = SectionReader(path: path)
        let document: YAMLNode?
        do { document = try YAMLDocument.parse(bytes, duplicateKeys: .refuse) } catch {
            throw reader.fail("malformed YAML: \(error)")
        }
        var config = WebConfig()
        guard let root = document, !root.isNull else { return config }
        guard let top = root.pairs else { throw reader.fail("\(root.mark): the top level is not a mapping") }
        for pair in top {
            switch pair.key.scalar ?? "" {
            case "tls_server_config": config.tls = try reader.tls(pair.value)
            case "http_server_config": config.headers = try reader.headers(pair.value)
            case "basic_auth_users": config.users = try reader.users(pair.value)
            default: throw reader.fail("\(pair.key.mark): unknown field")
            }
        }
        return config
    }

    /// Reads the sections of one web config file, failing with the file's path and a node's mark.
    private struct SectionReader {
        let path: String
        /// The file's directory, against which relative certificate paths resolve.
        let directory: String

        init(path: String) {
            self.path = path
            directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? ""
        }

        func fail(_ reason: String) -> ConfigFileError { ConfigFileError(file, path: path, reason: reason) }

        func resolve(_ file: String) -> String { file.hasPrefix("/") || directory.isEmpty ? file : directory + "/" + file }

        func string(_ node: YAMLNode, _ name: String) throws(ConfigFileError) -> String {
            guard let value = node.scalar, !node.isNull else { throw fail("\(node.mark): \(name) must be a string") }
            return value
        }

        func mapping(_ node: YAMLNode, _ name: String) throws(ConfigFileError) -> [YAMLPair] {
            if node.isNull { return [] }
            guard let pairs = node.pairs else { throw fail("\(node.mark): \(name) must be a mapping") }
            return pairs
        }

        /// `tls_server_config`; `nil` when it turns TLS on nowhere. As exporter-toolkit: an empty
        /// string is an unset field, and TLS is on when a certificate, key, client CA or
        /// client_auth_type is set (`TLSConfig.IsEnabled`).
        func tls(_ section: YAMLNode) throws(ConfigFileError) -> TLS? {
            var cert: String?, keyFile: String?, enabled = false
            var tls = TLS(certFile: "", keyFile: "")
            func path(_ node: YAMLNode, _ name: String) throws(ConfigFileError) -> String? {
                let value = try string(node, name)
                guard !value.isEmpty else { return nil }
                enabled = true
                return resolve(value)
            }
            for field in try mapping(section, "tls_server_config") {
                let name = field.key.scalar ?? ""
                switch name {
                case "cert_file": cert = try path(field.value, name)
                case "key_file": keyFile = try path(field.value, name)
                case "client_ca_file": tls.clientCAFile = try path(field.value, name)
                case "client_auth_type":
                    let setting = try string(field.value, name)
                    guard let auth = ClientAuth(setting: setting) else {
                        throw fail("\(field.value.mark): client_auth_type is not one of \(ClientAuth.allCases.map(\.rawValue).joined(separator: ", ")) (or RequireClientCert)")
                    }
                    enabled = enabled || !setting.isEmpty
                    tls.clientAuth = auth
                case "min_version", "max_version":
                    guard let version = TLSVersion(rawValue: try string(field.value, name)) else {
                        throw fail("\(field.value.mark): \(name) is not one of TLS10, TLS11, TLS12, TLS13")
                    }
                    if name == "min_version" { tls.minVersion = version } else { tls.maxVersion = version }
                case "cipher_suites", "curve_preferences", "prefer_server_cipher_suites":
                    throw fail("\(field.key.mark): tls_server_config.\(name) is not supported (GnuTLS chooses from its NORMAL priorities)")
                default: throw fail("\(field.key.mark): unknown field in tls_server_config")
                }
            }
            guard enabled else { return nil }
            guard let cert, let keyFile else { throw fail("\(section.mark): tls_server_config needs cert_file and key_file") }
            tls.certFile = cert
            tls.keyFile = keyFile
            if let max = tls.maxVersion, max < tls.minVersion { throw fail("\(section.mark): max_version is below min_version") }
            if tls.clientAuth == .none && tls.clientCAFile != nil {
                throw fail("\(section.mark): client_ca_file is set without a client_auth_type that asks for client certificates")
            }
            // libmicrohttpd asks for a client certificate only when it has a trust list, and
            // this exporter does not fall back to the system's CAs as Go does.
            if tls.clientAuth != .none && tls.clientCAFile == nil {
                throw fail("\(section.mark): client_auth_type \(tls.clientAuth.rawValue) needs client_ca_file")
            }
            return tls
        }

        /// `http_server_config`: the extra headers, sorted by name, as exporter-toolkit allows them.
        func headers(_ section: YAMLNode) throws(ConfigFileError) -> [Header] {
            var headers: [Header] = []
            for field in try mapping(section, "http_server_config") {
                switch field.key.scalar ?? "" {
                case "headers":
                    for header in try mapping(field.value, "http_server_config.headers") {
                        let name = header.key.scalar ?? ""
                        guard let allowed = allowedHeaders.first(where: { $0.key == name }) else {
                            throw fail("\(header.key.mark): header is not one of \(allowedHeaders.map(\.key).joined(separator: ", "))")
                        }
                        let text = try string(header.value, name)
                        guard allowed.value.isEmpty || allowed.value.contains(text) else {
                            throw fail("\(header.value.mark): header \(name) is not one of \(allowed.value.joined(separator: ", "))")
                        }
                        guard !text.contains(where: \.isNewline) else { throw fail("\(header.value.mark): header \(name) contains a line break") }
                        headers.append(Header(name: name, value: text))
                    }
                case "http2": continue  // libmicrohttpd speaks HTTP/1.1 only; accepted and ignored
                default: throw fail("\(field.key.mark): unknown field in http_server_config")
                }
            }
            return headers.sorted { $0.name < $1.name }
        }

        /// `basic_auth_users`: user name to bcrypt hash.
        func users(_ section: YAMLNode) throws(ConfigFileError) -> [String: String] {
            var users: [String: String] = [:]
            for entry in try mapping(section, "basic_auth_users") {
                guard let user = entry.key.scalar, !user.isEmpty, !user.contains(":") else {
                    throw fail("\(entry.key.mark): basic_auth_users has an empty user name or one with a colon")
                }
                let hash = try string(entry.value, "a basic_auth_users hash")
                guard ["$2a$", "$2b$", "$2y$"].contains(where: hash.hasPrefix), hash.count == 60 else {
                    throw fail("\(entry.value.mark): basic_auth_users entry is not a bcrypt hash ($2a$, $2b$ or $2y$)")
                }
                users[user] = hash
            }
            return users
        }
    }
}
