import CMicroHTTPD

/// Marker stored in libmicrohttpd's per-request pointer after the first call of the access
/// handler. Its address is all that matters; an immutable global, because taking the address of
/// a `var` from several libmicrohttpd threads at once is an access race (ThreadSanitizer found it).
nonisolated(unsafe) private let requestSeenMarker = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

/// The access handler registered with libmicrohttpd, called on the library's threads.
///
/// It lives in its own file as a non-isolated top-level function: a closure written in
/// `main.swift` would be main-actor code and crash when called from a libmicrohttpd thread.
/// The first call for a request only marks it: libmicrohttpd 0.9.75 answers with
/// `Connection: close` when a response is queued during the first call, so the response is queued
/// on the second call, which keeps connections alive. Upload data is discarded.
func microHTTPDAccessHandler(
    context: UnsafeMutableRawPointer?,
    connection: OpaquePointer?,
    url: UnsafePointer<CChar>?,
    method: UnsafePointer<CChar>?,
    version: UnsafePointer<CChar>?,
    uploadData: UnsafePointer<CChar>?,
    uploadDataSize: UnsafeMutablePointer<Int>?,
    requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let context, let connection, let url, let method, let requestContext else { return .NO }
    if requestContext.pointee == nil {
        requestContext.pointee = requestSeenMarker
        return .YES
    }
    if let uploadDataSize, uploadDataSize.pointee != 0 {
        uploadDataSize.pointee = 0
        return .YES
    }
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
    let request = HTTPRequest(method: String(cString: method), path: String(cString: url),
                              connection: connection)
    let response = server.handler(request)
    return withExtendedLifetime(response) {
        MHD_queue_response(connection, response.status, response.handle)
    }
}
