/// Decides, from the consumer queue's length around each drain, when librdkafka's fetcher may be
/// asleep with work to do (see ``FetchStallGuard``).
///
/// librdkafka stops fetching while the consumer queue holds `queued.min.messages` messages or
/// `queued.max.messages.kbytes` of payload and, before 2.3, only looks again when its broker
/// thread wakes up for another reason. So the fetcher can be asleep exactly when the queue *was*
/// at a threshold and has since been drained below it. The detector remembers having seen a
/// full queue and answers `true` once for each drain below the threshold that follows; a queue
/// that never fills (a consumer that keeps up, or one at the end of its partitions) never
/// triggers a wake-up.
///
/// The queue's payload size is not visible through librdkafka's API, so the byte threshold is
/// turned into a message count with the average payload of the messages drained so far, with a
/// 20 % margin (a wake-up too many costs one small request; one too few, up to a second).
public struct FetchStallDetector: Sendable, Equatable {
    /// `queued.min.messages`.
    public let messageThreshold: Int
    /// `queued.max.messages.kbytes` × 1024.
    public let byteThreshold: Int
    /// Whether a full queue was seen that no wake-up has answered yet.
    public private(set) var sawFullQueue = false
    /// Average payload bytes per drained message (0 until a message with a payload was seen).
    public private(set) var averageMessageBytes: Double = 0

    public init(messageThreshold: Int, byteThreshold: Int = .max) {
        self.messageThreshold = max(1, messageThreshold)
        self.byteThreshold = max(1, byteThreshold)
    }

    /// The queue length from which librdkafka is taken to have stopped fetching.
    public var threshold: Int {
        guard averageMessageBytes > 0, byteThreshold < .max else { return messageThreshold }
        let byBytes = Double(byteThreshold) * 0.8 / averageMessageBytes
        return max(1, min(messageThreshold, Int(min(byBytes, Double(Int.max / 2)))))
    }

    /// Folds `count` drained messages carrying `bytes` of payload into the average.
    public mutating func noteDrained(count: Int, bytes: Int) {
        guard count > 0, bytes > 0 else { return }
        let batch = Double(bytes) / Double(count)
        averageMessageBytes = averageMessageBytes == 0 ? batch : averageMessageBytes * 0.9 + batch * 0.1
    }

    /// Takes one sample of the queue length; `true` means "wake the fetcher now".
    public mutating func observe(queueLength: Int) -> Bool {
        if queueLength >= threshold {
            sawFullQueue = true
            return false
        }
        guard sawFullQueue else { return false }
        sawFullQueue = false
        return true
    }
}
