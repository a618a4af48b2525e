import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A dedicated OS thread for blocking work — librdkafka calls and poll loops — so they never
/// occupy a thread of Swift concurrency's cooperative pool.
///
/// Jobs run one at a time, in submission order, on the thread; async code awaits their
/// result with ``run(_:)``. A long-running job (a processor's whole poll loop) is fine: it
/// simply occupies the thread until it returns. The thread ends after ``shutdown()`` once
/// the queued jobs have run (or when the `KafkaThread` is released).
///
/// ```swift
/// let thread = KafkaThread(name: "processor")
/// try await thread.run {
///     let consumer = try KafkaConsumer(...)
///     while !stop.load(ordering: .relaxed) { consumer.poll(maxMessages: 500, timeout: .milliseconds(100)) { … } }
///     try consumer.close()
/// }
/// ```
///
/// Awaiting is not cancellable: a running job cannot be interrupted from outside; give it
/// its own stop signal (and e.g. ``KafkaConsumer/wakeup()``).
public final class KafkaThread: Sendable {
    /// Thrown by ``run(_:)`` when the thread was already shut down.
    public struct ShutDown: Error, Sendable {}

    private let queue = JobQueue()

    /// The thread's name (visible in debuggers and `top -H`).
    public let name: String

    /// Starts a thread called `name`.
    public init(name: String) {
        self.name = name
        let queue = self.queue
        let thread = Thread {
            KafkaThread.setCurrentThreadName(name)
            queue.runUntilShutDown()
        }
        thread.start()
    }

    /// Releasing the `KafkaThread` shuts it down (queued jobs still run).
    deinit {
        queue.shutdown()
    }

    /// Runs `body` on the thread and returns its result (or rethrows its error).
    ///
    /// - Throws: ``ShutDown`` if the thread no longer accepts jobs, else what `body` throws.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let accepted = queue.enqueue {
                continuation.resume(with: Result { try body() })
            }
            if !accepted {
                continuation.resume(throwing: ShutDown())
            }
        }
    }

    /// Queues `body` to run on the thread without waiting for it.
    ///
    /// - Returns: `false` if the thread was shut down (`body` will not run).
    @discardableResult
    public func execute(_ body: @escaping @Sendable () -> Void) -> Bool {
        queue.enqueue(body)
    }

    /// Stops accepting jobs; the thread ends once the queued ones have run.
    public func shutdown() {
        queue.shutdown()
    }

    /// The OS name of the calling thread, e.g. to check where code runs.
    public static var currentThreadName: String {
        #if os(Linux)
        guard let file = fopen("/proc/thread-self/comm", "r") else { return "" }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return "" }
        let name = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return name.hasSuffix("\n") ? String(name.dropLast()) : name
        #else
        var buffer = [CChar](repeating: 0, count: 64)
        guard pthread_getname_np(pthread_self(), &buffer, buffer.count) == 0 else { return "" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        #endif
    }

    /// Names the calling OS thread (Linux keeps at most 15 bytes).
    static func setCurrentThreadName(_ name: String) {
        var bytes = Array(name.utf8.prefix(15))
        while !bytes.isEmpty, String(validating: bytes, as: UTF8.self) == nil { bytes.removeLast() }
        let truncated = String(decoding: bytes, as: UTF8.self)
        #if os(Linux)
        // Foundation's Thread.name mangles names on Linux; /proc is the kernel's own interface.
        guard let file = fopen("/proc/thread-self/comm", "w") else { return }
        fputs(truncated, file)
        fclose(file)
        #else
        _ = pthread_setname_np(truncated)
        #endif
    }

    /// Runs `body` on a new thread of its own that ends with it, and awaits the result.
    public static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        let thread = KafkaThread(name: name)
        defer { thread.shutdown() }
        return try await thread.run(body)
    }
}

/// The jobs of one ``KafkaThread``, shared by the thread's loop and the owner.
///
/// `@unchecked Sendable`: `jobs` and `stopping` are only touched with `condition` locked.
private final class JobQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false

    func enqueue(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    /// The thread's body: runs jobs in order until shut down and drained.
    func runUntilShutDown() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping {
                condition.wait()
            }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
