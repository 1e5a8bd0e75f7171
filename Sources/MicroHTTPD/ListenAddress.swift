/// A `--web.listen-address` value: `host:port`, `[ipv6]:port` or `:port` (all addresses).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// Host name or IP literal; empty for all addresses.
    public let host: String
    /// TCP port; 0 asks the system for a free one.
    public let port: UInt16

    /// Parses an address in the Prometheus exporters' syntax.
    /// - Throws: `ListenAddress.ParseError` when the value has no valid port.
    public init(parsing text: String) throws(ParseError) {
        guard let colon = text.lastIndex(of: ":") else { throw ParseError(text: text) }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard let port = UInt16(portText) else { throw ParseError(text: text) }
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            throw ParseError(text: text)
        }
        // As Go's net.SplitHostPort: no brackets left inside the host (found by fuzzing: "[[]]:0").
        guard !host.contains("["), !host.contains("]") else { throw ParseError(text: text) }
        self.host = host
        self.port = port
    }

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// A listen address that is not `host:port`.
    public struct ParseError: Error, CustomStringConvertible {
        public let text: String
        public var description: String {
            "invalid listen address \"\(text)\": expected host:port, [ipv6]:port or :port"
        }
    }
}
