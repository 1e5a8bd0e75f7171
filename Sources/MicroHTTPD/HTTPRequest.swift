import CClientCertificate
import CMicroHTTPD
import Glibc

/// One HTTP request as seen by the handler. Valid only during the handler call.
public struct HTTPRequest {
    /// Request method, e.g. `GET`.
    public let method: String
    /// Request path without the query string.
    public let path: String
    let connection: OpaquePointer

    /// What the TLS client sent as its certificate.
    public enum ClientCertificate: Sendable {
        /// No certificate (or not a TLS connection).
        case none
        /// A certificate that verifies against the trusted CA.
        case verified
        /// A certificate that does not verify.
        case invalid
    }

    /// The client's TLS certificate, checked against the server's trusted CA.
    public var clientCertificate: ClientCertificate {
        switch CClientCertificate_verify(connection) {
        case 1: .verified
        case 0: .none
        default: .invalid
        }
    }

    /// Who sent the request, as fair queueing tells clients apart: an IPv4 address, or the /64
    /// network of an IPv6 address (one host commonly holds all of its /64); `""` when unknown.
    public var clientKey: String {
        guard let address = CMicroHTTPD_clientAddress(connection) else { return "" }
        return Self.clientKey(address)
    }

    static func clientKey(_ address: UnsafePointer<sockaddr>) -> String {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                withUnsafeBytes(of: $0.pointee.sin_addr) { $0.map(String.init).joined(separator: ".") }
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                withUnsafeBytes(of: $0.pointee.sin6_addr) { bytes in
                    // An IPv4 client on a dual-stack socket: ::ffff:a.b.c.d.
                    if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                        return bytes.suffix(4).map(String.init).joined(separator: ".")
                    }
                    return bytes.prefix(8).map { String($0, radix: 16) }.joined(separator: ":") + "/64"
                }
            }
        default:
            return ""
        }
    }

    /// The value of a request header, matched case-insensitively, or `nil` when absent.
    public func header(_ name: String) -> String? {
        guard let value = MHD_lookup_connection_value(connection, .HEADER_KIND, name) else {
            return nil
        }
        return String(cString: value)
    }
}
