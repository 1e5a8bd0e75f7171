import CMicroHTTPD
import Glibc

/// A complete HTTP response prepared once and queued on any number of connections.
///
/// The body is either copied once into memory owned by libmicrohttpd's response object, or, for
/// large texts kept anyway, read from the strings themselves as it is sent (``init(status:headers:utf8Parts:)``).
/// The response object is reference-counted by the library: handing the same response to many
/// requests costs no copy. It is released when the last Swift reference and the last connection
/// using it are gone.
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

    /// Prepares a response whose body is the UTF-8 of `parts`, joined, read from the strings as
    /// it is sent rather than copied: a 5,000-table node's plain exposition is 14 MB, and a copy
    /// (with the join before it) held two more of it per format while any response was alive.
    public init(status: UInt32, headers: [(name: String, value: String)] = [], utf8Parts parts: [String]) {
        self.status = status
        let body = JoinedText(parts)
        let context = Unmanaged.passRetained(body).toOpaque()
        guard let response = MHD_create_response_from_callback(UInt64(body.count), JoinedText.blockSize, JoinedText.read, context,
                                                               { Unmanaged<JoinedText>.fromOpaque($0!).release() }) else {
            Unmanaged<JoinedText>.fromOpaque(context).release()
            fatalError("libmicrohttpd could not allocate a response of \(body.count) bytes")
        }
        Self.add(headers, to: response)
        self.handle = response
    }

    private static func makeResponse(headers: [(name: String, value: String)], body: UnsafeRawBufferPointer) -> OpaquePointer {
        // malloc(0) may return NULL, which libmicrohttpd would read as "no buffer".
        let buffer = malloc(max(body.count, 1))!
        if let base = body.baseAddress { buffer.copyMemory(from: base, byteCount: body.count) }
        guard let response = MHD_create_response_from_buffer_with_free_callback(body.count, buffer, { free($0) }) else {
            fatalError("libmicrohttpd could not allocate a response of \(body.count) bytes")
        }
        add(headers, to: response)
        return response
    }

    private static func add(_ headers: [(name: String, value: String)], to response: OpaquePointer) {
        for header in headers {
            MHD_add_response_header(response, header.name, header.value)
        }
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

/// Texts read as one body, a block at a time, by libmicrohttpd's threads; immutable once made.
private final class JoinedText {
    /// How much libmicrohttpd asks for at once (its buffer for the response, shared by the
    /// connections sending it).
    static let blockSize = 65_536
    private let parts: [String]
    /// Where each part starts in the body.
    private let starts: [Int]
    let count: Int

    init(_ parts: [String]) {
        self.parts = parts.map { part in
            var part = part
            part.makeContiguousUTF8()  // so that reading it never copies
            return part
        }
        var starts: [Int] = []
        var count = 0
        for part in self.parts {
            starts.append(count)
            count += part.utf8.count
        }
        self.starts = starts
        self.count = count
    }

    /// Copies up to `capacity` bytes of the body from `position` into `buffer`.
    func copy(from position: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var copied = 0
        // The last part starting at or before `position`; empty parts are passed over.
        var index = (starts.lastIndex { $0 <= position }) ?? 0
        var offset = position - starts[index]
        while copied < buffer.count && index < parts.count {
            copied += parts[index].utf8.withContiguousStorageIfAvailable { part in
                let length = min(part.count - offset, buffer.count - copied)
                guard length > 0 else { return 0 }
                UnsafeMutableRawBufferPointer(rebasing: buffer[copied...])
                    .copyMemory(from: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: part[offset..<offset + length])))
                return length
            }!
            index += 1
            offset = 0
        }
        return copied
    }

    static let read: MHD_ContentReaderCallback = { context, position, buffer, capacity in
        let body = Unmanaged<JoinedText>.fromOpaque(context!).takeUnretainedValue()
        // -1: MHD_CONTENT_READER_END_OF_STREAM, a macro Swift does not import.
        guard Int(position) < body.count, let buffer else { return -1 }
        return body.copy(from: Int(position), into: UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(buffer), count: capacity))
    }
}
