import CMicroHTTPD
import Glibc

/// A complete HTTP response prepared once and queued on any number of connections.
///
/// The body is copied once into memory owned by libmicrohttpd's response object, which is
/// reference-counted by the library: handing the same response to many requests costs no copy.
/// The object is released when the last Swift reference and the last connection using it are gone.
public final class HTTPResponse: @unchecked Sendable {
    /// HTTP status code sent with this response.
    public let status: UInt32
    let handle: OpaquePointer

    /// Prepares a response.
    /// - Parameters:
    ///   - status: HTTP status code.
    ///   - headers: header names and values, sent in this order.
    ///   - body: the body; copied once.
    public init(status: UInt32, headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.handle = body.withUnsafeBytes { Self.makeResponse(headers: headers, body: $0) }
    }

    /// Prepares a response whose body is the UTF-8 of `text`, copied once.
    public init(status: UInt32, headers: [(name: String, value: String)] = [], utf8 text: String) {
        self.status = status
        var text = text
        self.handle = text.withUTF8 { Self.makeResponse(headers: headers, body: UnsafeRawBufferPointer($0)) }
    }

    private static func makeResponse(headers: [(name: String, value: String)], body: UnsafeRawBufferPointer) -> OpaquePointer {
        // malloc(0) may return NULL, which libmicrohttpd would read as "no buffer".
        let buffer = malloc(max(body.count, 1))!
        if let base = body.baseAddress { buffer.copyMemory(from: base, byteCount: body.count) }
        guard let response = MHD_create_response_from_buffer_with_free_callback(body.count, buffer, { free($0) }) else {
            fatalError("libmicrohttpd could not allocate a response of \(body.count) bytes")
        }
        for header in headers {
            MHD_add_response_header(response, header.name, header.value)
        }
        return response
    }

    /// Prepares a response with a UTF-8 text body.
    public convenience init(status: UInt32, contentType: String, text: String,
                            headers: [(name: String, value: String)] = []) {
        self.init(status: status, headers: [("Content-Type", contentType)] + headers, utf8: text)
    }

    deinit {
        MHD_destroy_response(handle)
    }
}
