@testable import ExporterCore
import Testing

@Suite struct LogRateLimitTests {
    /// 35,640 client-caused lines in 3 s became 20; the rest are counted and reported once when
    /// the next window opens.
    @Test func linesPastTheBurstAreCountedAndReportedOnce() {
        let limit = LogRateLimit(burst: 20, window: .seconds(60))
        let start = ContinuousClock.now
        let admitted = (0..<35_640).map { _ in limit.admit(now: start) }
        #expect(admitted.filter(\.write).count == 20)
        #expect(admitted.allSatisfy { $0.suppressedBefore == 0 })
        let next = limit.admit(now: start + .seconds(61))
        #expect(next.write && next.suppressedBefore == 35_620)
        #expect(limit.admit(now: start + .seconds(62)).suppressedBefore == 0)
    }
}
