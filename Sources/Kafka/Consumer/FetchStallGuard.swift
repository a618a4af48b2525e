internal import CRdKafka
import Foundation
import Synchronization

/// Wakes librdkafka's fetcher when the application has drained a full prefetch queue, so a
/// consumer that is slower than its fetcher does not wait up to a second between fetches.
///
/// librdkafka stops fetching a partition while the consumer queue holds `queued.min.messages`
/// (or `queued.max.messages.kbytes`) and marks it "not fetchable" with no backoff deadline; the
/// broker thread then sleeps until an operation or I/O on its connection wakes it, at most
/// `rd_kafka_max_block_ms` = 1 s. Draining the queue wakes nothing. librdkafka 2.3 added
/// `fetch.queue.backoff.ms` for this; Debian 12 ships 2.0.2. In a backlog the consumer
/// therefore alternates between draining the queue and waiting up to a second for the next
/// fetch (BENCHMARKS.md, "Where the time goes").
///
/// The polling thread reports the queue length before and after each drain
/// (``noteDrain(queuedBefore:delivered:deliveredBytes:)``, fed to a ``FetchStallDetector``). When the queue
/// was full and is now below the threshold, the guard's own thread asks every leader of the
/// assignment for its latest offsets (`rd_kafka_offsets_for_times`, one ListOffsets request per
/// leader): the request wakes each leader's broker thread, which re-decides and fetches. The
/// poll thread never blocks on it, and nothing is sent while the consumer keeps up (its queue
/// never fills).
final class FetchStallGuard: @unchecked Sendable {
    // @unchecked Sendable: `handle` is a librdkafka client whose API is thread-safe and which
    // outlives the guard's thread (``stop()`` joins it before the consumer is closed).

    private let handle: OpaquePointer
    private let detector: Mutex<FetchStallDetector>
    private let requested = Atomic(false)
    private let stopRequested = Atomic(false)
    private let signal = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let wakeupCount = Atomic(0)

    /// Starts the guard's thread, called `name`, for librdkafka's `queued.min.messages` and
    /// `queued.max.messages.kbytes` (in bytes).
    init(handle: OpaquePointer, messageThreshold: Int, byteThreshold: Int, name: String) {
        self.handle = handle
        self.detector = Mutex(FetchStallDetector(messageThreshold: messageThreshold, byteThreshold: byteThreshold))
        let thread = Thread { [self] in
            KafkaThread.setCurrentThreadName(name)
            run()
            finished.signal()
        }
        thread.start()
    }

    /// How many times the guard decided to wake the fetcher (counted on the polling thread when
    /// it decides, so the count is exact when `poll` returns; the request follows on the guard's
    /// thread).
    var wakeups: Int { wakeupCount.load(ordering: .relaxed) }

    /// Called by the polling thread around each drain of the consumer queue: the queue held
    /// `queuedBefore` messages and `delivered` of them, with `deliveredBytes` of payload, were
    /// taken. Never blocks.
    func noteDrain(queuedBefore: Int, delivered: Int, deliveredBytes: Int) {
        let wake = detector.withLock { detector in
            detector.noteDrained(count: delivered, bytes: deliveredBytes)
            let sawFull = detector.observe(queueLength: queuedBefore)
            return detector.observe(queueLength: max(0, queuedBefore - delivered)) || sawFull
        }
        guard wake else { return }
        wakeupCount.add(1, ordering: .relaxed)
        if !requested.exchange(true, ordering: .acquiringAndReleasing) {
            signal.signal()
        }
    }

    /// Stops the thread and waits for it to end (at most one in-flight request's timeout).
    /// Call before the consumer is closed. Calling it again does nothing.
    func stop() {
        guard !stopRequested.exchange(true, ordering: .acquiringAndReleasing) else { return }
        signal.signal()
        finished.wait()
    }

    private func run() {
        while true {
            signal.wait()
            if stopRequested.load(ordering: .acquiring) { return }
            requested.store(false, ordering: .releasing)
            wakeLeaders()
        }
    }

    /// One ListOffsets request per leader of the current assignment.
    private func wakeLeaders() {
        var pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(handle, &pointer) == RD_KAFKA_RESP_ERR_NO_ERROR, let pointer else { return }
        let list = RDKafkaTopicPartitionList(adopting: pointer)
        guard list.pointer.pointee.cnt > 0 else { return }
        for index in 0..<Int(list.pointer.pointee.cnt) {
            list.pointer.pointee.elems[index].offset = -1  // "latest": the cheapest lookup
        }
        _ = rd_kafka_offsets_for_times(handle, list.pointer, 1_000)
    }
}
