import CMicroHTTPD
import CClientCertificate

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

    /// The value of a request header, matched case-insensitively, or `nil` when absent.
    public func header(_ name: String) -> String? {
        guard let value = MHD_lookup_connection_value(connection, .HEADER_KIND, name) else {
            return nil
        }
        return String(cString: value)
    }
}
