import ExporterCore
import Testing

@Suite struct ContentNegotiationTests {
    @Test(arguments: [("gzip", true), ("gzip, deflate, br", true), ("deflate", false), (nil, false), ("*", true),
                      ("gzip;q=0", false), ("*;q=0", false), ("identity, gzip;q=0.5", true), ("GZIP", true),
                      ("*, gzip;q=0", false), (" gzip ;q=1.0", true), ("x-gzip", true)] as [(String?, Bool)])
    func decidesWhetherGzipIsAccepted(header: String?, accepted: Bool) {
        #expect(ContentNegotiation.acceptsGzip(header) == accepted)
    }
}
