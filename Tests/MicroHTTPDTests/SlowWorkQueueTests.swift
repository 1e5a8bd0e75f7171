import Foundation
import MicroHTTPD
import Synchronization
import Testing
import TestSupport

/// The slow-work queue serves clients in turn, bounds what each may queue, and cancels what waits
/// when it stops.
@Suite struct SlowWorkQueueTests {
    /// A client that queued first and keeps its share full does not hold back a second client:
    /// the second one's job runs after at most one more of the first's.
    @Test func clientsAreServedInTurn() {
        let queue = SlowWorkQueue(limit: 16, perKey: 2)
        let gate = DispatchSemaphore(value: 0)
        let order = Locked<[String]>([])
        func job(_ name: String) -> @Sendable () -> Void { { order.withLock { $0.append(name) } } }
        #expect(put(queue, key: "flood", { gate.wait(); order.withLock { $0.append("flood-0") } }, cancel: {}) == true)
        usleep(50_000)  // flood-0 is running, blocked on the gate
        #expect(put(queue, key: "flood", job("flood-1"), cancel: {}) == true)
        #expect(put(queue, key: "flood", job("flood-2"), cancel: {}) == false, "a client's share is 2 jobs, running or waiting")
        #expect(put(queue, key: "scraper", job("scraper"), cancel: {}) == true)
        gate.signal()
        // The flood refills its share as soon as a job of its finishes; the scraper still goes next.
        while order.withLock({ $0.count }) < 1 { usleep(1_000) }
        #expect(put(queue, key: "flood", job("flood-2"), cancel: {}) == true)
        while order.withLock({ $0.count }) < 4 { usleep(1_000) }
        #expect(order.withLock { $0 } == ["flood-0", "flood-1", "scraper", "flood-2"])
    }

    @Test func aFullQueueRefusesAtOnce() {
        let queue = SlowWorkQueue(limit: 2, perKey: 2)
        let gate = DispatchSemaphore(value: 0)
        #expect(put(queue, key: "a", { gate.wait() }, cancel: {}) == true)
        usleep(50_000)
        #expect(put(queue, key: "b", {}, cancel: {}) == true)
        #expect(put(queue, key: "c", {}, cancel: {}) == false, "one job runs and one waits")
        gate.signal()
        queue.stop()
    }

    /// Stopping waits for the running job only; the waiting ones are cancelled, and nothing is
    /// accepted afterwards.
    @Test func stopCancelsWaitingJobsAndWaitsForTheRunningOne() {
        let queue = SlowWorkQueue(limit: 8, perKey: 8)
        let ran = Atomic<Int>(0), cancelled = Atomic<Int>(0)
        #expect(put(queue, key: "a", { usleep(200_000); ran.add(1, ordering: .relaxed) }, cancel: { cancelled.add(1, ordering: .relaxed) }) == true)
        usleep(50_000)
        for _ in 0..<5 {
            #expect(put(queue, key: "a", { ran.add(1, ordering: .relaxed) }, cancel: { cancelled.add(1, ordering: .relaxed) }) == true)
        }
        queue.stop()
        #expect(ran.load(ordering: .relaxed) == 1)
        #expect(cancelled.load(ordering: .relaxed) == 5)
        #expect(put(queue, key: "a", {}, cancel: {}) == false)
    }

    /// `queue.submit`, outside `#expect` (its expansion does not keep closures `@Sendable`).
    private func put(_ queue: SlowWorkQueue, key: String, _ job: @escaping @Sendable () -> Void,
                     cancel: @escaping @Sendable () -> Void) -> Bool {
        queue.submit(key: key, job, cancel: cancel)
    }
}
