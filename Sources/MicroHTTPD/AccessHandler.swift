import CMicroHTTPD
import Glibc
import Synchronization

/// Marker stored in libmicrohttpd's per-request pointer after the first call of the access
/// handler. Its address is all that matters; an immutable global, because taking the address of
/// a `var` from several libmicrohttpd threads at once is an access race (ThreadSanitizer found it).
nonisolated(unsafe) private let requestSeenMarker = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
/// Marker for a request whose response counts against ``HTTPServer/Limits/requestsInFlight``.
nonisolated(unsafe) private let requestCountedMarker = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

/// A request whose connection is suspended while slow work prepares its response; kept (retained)
/// in libmicrohttpd's per-request pointer until the request completes.
private final class SuspendedRequest: Sendable {
    let response = Mutex<HTTPResponse?>(nil)
}

/// A libmicrohttpd connection handed to the slow-work thread. libmicrohttpd allows
/// `MHD_resume_connection` from any thread, and the connection lives until it is resumed.
private struct SuspendedConnection: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// The access handler registered with libmicrohttpd, called on the library's threads.
///
/// It lives in its own file as a non-isolated top-level function: a closure written in
/// `main.swift` would be main-actor code and crash when called from a libmicrohttpd thread.
/// The first call for a request only marks it: libmicrohttpd 0.9.75 answers with
/// `Connection: close` when a response is queued during the first call, so the response is queued
/// on the second call, which keeps connections alive. Upload data is discarded. A slow reply
/// suspends the connection; after the slow-work thread resumes it, a third call sends its response.
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
    guard let seen = requestContext.pointee else {
        requestContext.pointee = requestSeenMarker
        return .YES
    }
    if let uploadDataSize, uploadDataSize.pointee != 0 {
        uploadDataSize.pointee = 0
        return .YES
    }
    if seen != requestSeenMarker {
        guard seen != requestCountedMarker else { return .YES }
        let suspended = Unmanaged<SuspendedRequest>.fromOpaque(seen).takeUnretainedValue()
        guard let response = suspended.response.withLock({ $0 }) else { return .NO }
        return queue(response, on: connection)
    }
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
    let request = HTTPRequest(method: String(cString: method), path: String(cString: url), connection: connection)
    switch server.handler(request) {
    case .response(let response):
        return queue(response, on: connection)
    case .counted(let response, let busy):
        guard server.beginCountedRequest() else { return queue(busy, on: connection) }
        requestContext.pointee = requestCountedMarker
        return queue(response, on: connection)
    case .slow(let busy, let work):
        guard server.beginSuspension() else { return queue(busy, on: connection) }
        let suspended = SuspendedRequest()
        requestContext.pointee = Unmanaged.passRetained(suspended).toOpaque()
        let resumable = SuspendedConnection(pointer: connection)
        MHD_suspend_connection(connection)
        let accepted = server.slowWork.submit(key: request.clientKey, {
            let response = work()
            suspended.response.withLock { $0 = response }
            MHD_resume_connection(resumable.pointer)
        }, cancel: {
            suspended.response.withLock { $0 = busy }
            MHD_resume_connection(resumable.pointer)
        })
        if !accepted {
            suspended.response.withLock { $0 = busy }
            MHD_resume_connection(connection)
        }
        return .YES
    }
}

/// Called by libmicrohttpd when a request is done (sent, failed or closed): releases what the
/// access handler kept for it, and counts a suspended request as finished.
func microHTTPDRequestCompleted(
    context: UnsafeMutableRawPointer?,
    connection: OpaquePointer?,
    requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    reason: MHD_RequestTerminationCode
) {
    guard let context, let requestContext, let kept = requestContext.pointee, kept != requestSeenMarker else { return }
    requestContext.pointee = nil
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
    if kept == requestCountedMarker {
        server.endCountedRequest()
        return
    }
    Unmanaged<SuspendedRequest>.fromOpaque(kept).release()
    server.endSuspension()
}

private func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
    withExtendedLifetime(response) {
        MHD_queue_response(connection, response.status, response.handle)
    }
}

/// libmicrohttpd's messages, formatted by the shim, handed to the server's ``HTTPServer/MessageLog``.
func microHTTPDLogLine(context: UnsafeMutableRawPointer?, line: UnsafePointer<CChar>?) {
    guard let context, let line else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
    let text = String(decoding: UnsafeRawBufferPointer(start: line, count: strlen(line)), as: UTF8.self)
    server.messageLog(text.trimmingSuffixNewlines(), !server.started.load(ordering: .acquiring))
}

private extension String {
    /// libmicrohttpd ends most messages with a line feed.
    func trimmingSuffixNewlines() -> String {
        var text = Substring(self)
        while text.last?.isNewline == true { text = text.dropLast() }
        return String(text)
    }
}
