import ExporterCore
import Testing

@Suite struct PrometheusDurationTests {
    @Test(arguments: [("30s", 30_000), ("5m", 300_000), ("1h30m", 5_400_000), ("500ms", 500), ("1d", 86_400_000),
                      ("2w", 1_209_600_000), ("1y", 31_536_000_000), ("1m30s500ms", 90_500)] as [(String, Int64)])
    func parsesValidDurations(text: String, milliseconds: Int64) {
        #expect(PrometheusDuration(text)?.milliseconds == milliseconds)
    }

    @Test(arguments: ["", "30", "s", "1.5s", "-1s", "0s", "5m1h", "1s1s", "1x", "99999999999999999999s", " 30s", "30S"])
    func rejectsInvalidDurations(text: String) {
        #expect(PrometheusDuration(text) == nil)
    }

    @Test func printsTheShortestForm() {
        #expect(PrometheusDuration(milliseconds: 90_000).description == "1m30s")
        #expect(PrometheusDuration(milliseconds: 60_000).description == "1m")
        #expect(PrometheusDuration(milliseconds: 1).description == "1ms")
    }
}
