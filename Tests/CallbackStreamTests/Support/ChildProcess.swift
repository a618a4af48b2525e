import Foundation
import Glibc
import Synchronization
import TestSupport

/// A program run as a separate process with its stdin, stdout and stderr attached, for
/// tests that drive the built `callback-stream` binary (and `kcat`) from outside.
final class ChildProcess: Sendable {
    /// Thrown when a condition did not hold before its deadline.
    struct DeadlineExceeded: Error, CustomStringConvertible {
        let description: String
    }

    /// How the process ended: by `exit` (the status is its exit status) or by a signal (the
    /// status is the signal's number).
    enum ExitReason: Sendable, Equatable {
        case exit
        case uncaughtSignal
    }

    private struct State {
        var stdout = Data()
        var stderr = Data()
        var stdoutEnded = false
        var stderrEnded = false
        var exit: (status: Int32, reason: ExitReason)?
        var exitedAt: ContinuousClock.Instant?
    }

    private let state = Locked(State())
    private let spawned: SpawnedProcess
    let commandLine: String
    /// When the process was started.
    let startedAt: ContinuousClock.Instant

    /// Starts `executable` with `arguments`.
    ///
    /// - Parameters:
    ///   - stdoutSink: when given, stdout is handed to it chunk by chunk (for long-running readers
    ///     whose output is too large to keep) instead of being collected in ``stdout``.
    init(_ executable: URL, _ arguments: [String], stdoutSink: (@Sendable (Data) -> Void)? = nil) throws {
        self.commandLine = ([executable.path] + arguments).joined(separator: " ")
        let state = self.state
        startedAt = ContinuousClock.now
        spawned = try SpawnedProcess(
            executable.path, arguments,
            stdout: { data in
                guard let data else { return state.withLock { $0.stdoutEnded = true } }
                if let stdoutSink { stdoutSink(data) } else { state.withLock { $0.stdout.append(data) } }
            },
            stderr: { data in
                state.withLock {
                    if let data { $0.stderr.append(data) } else { $0.stderrEnded = true }
                }
            },
            ended: { ending in
                let now = ContinuousClock.now
                let exit: (Int32, ExitReason) = switch ending {
                case .exited(let status): (status, .exit)
                case .signalled(let signal): (signal, .uncaughtSignal)
                }
                state.withLock {
                    $0.exit = exit
                    $0.exitedAt = now
                }
            })
    }

    /// Everything written to stdout so far.
    var stdout: String { state.withLock { String(decoding: $0.stdout, as: UTF8.self) } }
    /// Everything written to stderr so far.
    var stderr: String { state.withLock { String(decoding: $0.stderr, as: UTF8.self) } }
    /// The complete stdout lines so far.
    var stdoutLines: [String] {
        let text = stdout
        let complete = text.hasSuffix("\n") ? text : String(text[..<(text.lastIndex(of: "\n") ?? text.startIndex)])
        return complete.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
    /// The process id (e.g. to read `/proc/<pid>/status`).
    var pid: Int32 { spawned.pid }
    /// How long the process ran, once it ended: measured by the thread that waits for it, so a
    /// test task that was scheduled late does not count.
    var lifetime: Duration? { state.withLock { $0.exitedAt.map { $0 - startedAt } } }
    /// Exit status and reason, once the process ended.
    var exit: (status: Int32, reason: ExitReason)? { state.withLock { $0.exit } }

    /// Writes `text` to the process's stdin.
    func write(_ text: String) {
        spawned.write(Data(text.utf8))
    }

    /// Writes `data` to the process's stdin (blocks while the pipe is full).
    func write(_ data: Data) {
        spawned.write(data)
    }

    /// Closes the process's stdin.
    func closeInput() {
        spawned.closeInput()
    }

    /// Sends `signal` to the process.
    func send(_ signal: Int32) {
        spawned.signal(signal)
    }

    /// Waits (checking every 20 ms) until `condition` holds or `timeout` passes.
    func wait(
        for what: String, timeout: Duration = .seconds(30), _ condition: (ChildProcess) -> Bool
    ) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !condition(self) {
            guard clock.now < deadline else {
                throw DeadlineExceeded(
                    description: "timed out waiting for \(what) from `\(commandLine)`; stderr: \(stderr)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for the process to end and for its stdout and stderr to reach end of file (so
    /// everything it wrote has been read); returns its exit.
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> (status: Int32, reason: ExitReason) {
        try await wait(for: "exit", timeout: timeout) { child in
            child.state.withLock { $0.exit != nil && $0.stdoutEnded && $0.stderrEnded }
        }
        return exit!
    }

    /// Ends the process if still running (test cleanup).
    func kill() {
        spawned.signal(SIGKILL)
    }
}

/// The directory holding the built products (`callback-stream`) next to the test bundle.
func productsDirectory() -> URL {
    #if os(Linux)
    return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    #else
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        return bundle.bundleURL.deletingLastPathComponent()
    }
    return Bundle.main.bundleURL
    #endif
}

/// A value behind a mutex, shareable between the test and pipe/termination handlers.
final class Locked<Value>: @unchecked Sendable {
    // @unchecked Sendable: `value` is only touched inside `mutex`.
    private let mutex = Mutex(())
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<R>(_ body: (inout Value) -> R) -> R {
        mutex.withLock { _ in body(&value) }
    }
}
