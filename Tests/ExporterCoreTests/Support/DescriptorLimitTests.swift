import ExporterCore
import Testing

@Suite struct DescriptorLimitTests {
    /// Connections never take the descriptors a scan needs: 2,048 wanted under a soft limit of
    /// 1,024 become what the limit leaves after the scan's share.
    @Test func connectionsStayBelowTheDescriptorLimit() {
        let reserved = DescriptorLimit.reserved(parallelism: 2, dataDirectories: 4)
        #expect(reserved == 128 + 16 * 2 * 4)
        #expect(DescriptorLimit.connectionLimit(wanted: 2048, soft: 1024, reserved: reserved) == 1024 - reserved)
        #expect(DescriptorLimit.connectionLimit(wanted: 2048, soft: 524_288, reserved: reserved) == 2048)
        #expect(DescriptorLimit.connectionLimit(wanted: 2048, soft: 64, reserved: reserved) == 16, "a floor to serve a scraper at all")
        #expect(DescriptorLimit.connectionLimit(wanted: 2048, soft: UInt64.max, reserved: reserved) == 2048, "RLIM_INFINITY")
    }

    /// The soft limit ends at the hard limit (as Go's runtime sets it), never above.
    @Test func theSoftLimitIsRaisedToTheHardLimit() throws {
        let raised = try #require(DescriptorLimit.raiseSoftLimit())
        #expect(raised.after.soft == raised.after.hard)
        #expect(raised.after.hard == raised.before.hard)
    }
}
