import CMicroHTTPD

/// One HTTP request as seen by the handler. Valid only during the handler call.
public struct HTTPRequest {
    /// Request method, e.g. `GET`.
    public let method: String
    /// Request path without the query string.
    public let path: String
    let connection: OpaquePointer

    /// The value of a request header, matched case-insensitively, or `nil` when absent.
    public func header(_ name: String) -> String? {
        guard let value = MHD_lookup_connection_value(connection, .HEADER_KIND, name) else {
            return nil
        }
        return String(cString: value)
    }
}
