import MicroHTTPD
import Testing

@Suite struct ListenAddressTests {
    @Test func parsesThePrometheusForms() throws {
        #expect(try ListenAddress(parsing: ":9989") == ListenAddress(host: "", port: 9989))
        #expect(try ListenAddress(parsing: "127.0.0.1:80") == ListenAddress(host: "127.0.0.1", port: 80))
        #expect(try ListenAddress(parsing: "[::1]:9989") == ListenAddress(host: "::1", port: 9989))
        #expect(try ListenAddress(parsing: "localhost:0") == ListenAddress(host: "localhost", port: 0))
        #expect(ListenAddress(host: "::1", port: 1).description == "[::1]:1")
    }

    @Test(arguments: ["9989", "host:", "host:99999", "::1:80", "host:port", "", "[[]]:0", "[a]b]:1", "a]:1"])
    func rejectsMalformedAddresses(_ text: String) {
        #expect(throws: ListenAddress.ParseError.self) { try ListenAddress(parsing: text) }
    }
}
