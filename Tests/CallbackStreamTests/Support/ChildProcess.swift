import Foundation
import Glibc
import Synchronization

/// A program run as a separate process with its stdin, stdout and stderr attached, for
/// tests that drive the built `callback-stream` binary (and `kcat`) from outside.
final class ChildProcess: Sendable {
    /// Thrown when a condition did not hold before its deadline.
    struct DeadlineExceeded: Error, CustomStringConvertible {
        let description: String
    }

    private struct State {
        var stdout = Data()
        var stderr = Data()
        var exit: (status: Int32, reason: Process.TerminationReason)?
        var exitedAt: ContinuousClock.Instant?
    }

    private let state = Locked(State())
    private let process: Locked<Process>
    private let input: FileHandle
    let commandLine: String
    /// When the process was started.
    let startedAt: ContinuousClock.Instant

    /// Starts `executable` with `arguments`.
    ///
    /// - Parameters:
    ///   - stdoutSink: when given, stdout is handed to it chunk by chunk (for long-running readers
    ///     whose output is too large to keep) instead of being collected in ``stdout``.
    init(_ executable: URL, _ arguments: [String], stdoutSink: (@Sendable (Data) -> Void)? = nil) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        self.input = stdin.fileHandleForWriting
        self.commandLine = ([executable.path] + arguments).joined(separator: " ")
        let state = self.state
        if let stdoutSink {
            stdout.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                if data.isEmpty {
                    handle.readabilityHandler = nil  // end of output
                } else {
                    stdoutSink(data)
                }
            }
        } else {
            stdout.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                state.withLock { $0.stdout.append(data) }
            }
        }
        stderr.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            state.withLock { $0.stderr.append(data) }
        }
        process.terminationHandler = { process in
            let exit = (process.terminationStatus, process.terminationReason)
            let now = ContinuousClock.now
            state.withLock {
                $0.exit = exit
                $0.exitedAt = now
            }
        }
        startedAt = ContinuousClock.now
        try process.run()
        self.process = Locked(process)
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
    var pid: Int32 { process.withLock { $0.processIdentifier } }
    /// How long the process ran, once it ended: measured by the termination handler (its own
    /// thread), so a test task that was scheduled late does not count.
    var lifetime: Duration? { state.withLock { $0.exitedAt.map { $0 - startedAt } } }
    /// Exit status and reason, once the process ended.
    var exit: (status: Int32, reason: Process.TerminationReason)? { state.withLock { $0.exit } }

    /// Writes `text` to the process's stdin.
    func write(_ text: String) {
        input.write(Data(text.utf8))
    }

    /// Writes `data` to the process's stdin (blocks while the pipe is full).
    func write(_ data: Data) {
        input.write(data)
    }

    /// Closes the process's stdin.
    func closeInput() {
        try? input.close()
    }

    /// Sends `signal` to the process.
    func send(_ signal: Int32) {
        let pid = process.withLock { $0.processIdentifier }
        _ = Glibc.kill(pid, signal)
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

    /// Waits for the process to end and for its output to be drained; returns its exit.
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> (status: Int32, reason: Process.TerminationReason) {
        try await wait(for: "exit", timeout: timeout) { $0.exit != nil }
        return exit!
    }

    /// Ends the process if still running (test cleanup).
    func kill() {
        if exit == nil { send(SIGKILL) }
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
