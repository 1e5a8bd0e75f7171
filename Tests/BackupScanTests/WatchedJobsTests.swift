@testable import BackupScan
import Dispatch
import Glibc
import Testing
import TestSupport

/// The watching itself, with jobs that block on a semaphore the way a call into a hung mount
/// blocks (SickDiskTests does it with a real FUSE filesystem).
@Suite struct WatchedJobsTests {
    @Test func aJobThatStandsStillIsLeftBehindAndTheOthersFinish() {
        let release = DispatchSemaphore(value: 0)
        let returned = DispatchSemaphore(value: 0)
        let leftBehind = Locked<[Int]>([])
        let started = ContinuousClock.now
        let outcomes = WatchedJobs<Int>.run(
            count: 6, threads: 2, limit: .milliseconds(300), name: "test-walker", nice: nil,
            skip: { $0 == 5 },
            work: { index, progress in
                if index == 1 { release.wait() }  // no tick: a call that does not return
                for _ in 0..<3 { progress.tick() }
                return index * 10
            },
            stuck: { index, _ in leftBehind.withLock { $0.append(index) } },
            returnedLate: { index in #expect(index == 1); returned.signal() })
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(3), "the run waited \(elapsed)")
        #expect(leftBehind.withLock { $0 } == [1])
        for (index, outcome) in outcomes.enumerated() {
            switch (index, outcome) {
            case (1, .stuck): break
            case (5, .skipped): break
            case (_, .finished(let value)): #expect(value == index * 10)
            default: Issue.record("job \(index): \(outcome)")
            }
        }
        release.signal()
        #expect(returned.wait(timeout: .now() + 5) == .success, "the job left behind reports its late return")
    }

    /// A slow job that keeps making progress is not stuck, however long it takes in all.
    @Test func aSlowJobThatMakesProgressIsNotStuck() {
        let outcomes = WatchedJobs<Bool>.run(
            count: 1, threads: 1, limit: .milliseconds(200), name: "test-walker", nice: nil, skip: { _ in false },
            work: { _, progress in
                for _ in 0..<10 {
                    usleep(100_000)
                    progress.tick()
                }
                return true
            },
            stuck: { _, _ in Issue.record("a progressing job was left behind") }, returnedLate: { _ in })
        guard case .finished(true) = outcomes.first else { Issue.record("\(outcomes)"); return }
    }
}
