import Foundation
import Glibc
import Synchronization

/// A child process started with `posix_spawn`, its stdout and stderr read by blocking reads on
/// threads of its own and its end awaited by a thread of its own — the one way the test targets
/// start programs (the built `callback-stream`, kcat, python3).
///
/// It does not use Foundation's `Process` and `FileHandle.readabilityHandler`: on Linux their
/// dispatch sources can crash the whole test process when several are torn down at once
/// (swift-corelibs-libdispatch#949, swift-corelibs-foundation#5507). Its pipes are close-on-exec,
/// so a child started concurrently by another test does not inherit them: end of file arrives
/// when this child and only this child has closed its end.
public final class SpawnedProcess: Sendable {
    /// How a child ended.
    public enum Ending: Sendable, Equatable {
        /// It called `exit` with this status.
        case exited(Int32)
        /// A signal with this number ended it.
        case signalled(Int32)
    }

    /// What the child's stdin is connected to.
    public enum Input: Sendable {
        /// A pipe written with ``write(_:)`` and closed with ``closeInput()``.
        case pipe
        /// `/dev/null`.
        case null
    }

    /// Why a child could not be started.
    public struct SpawnFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The child's process id.
    public let pid: Int32
    /// The write end of the child's stdin pipe (−1 for `.null`, or once closed).
    private let input: Mutex<Int32>
    /// Whether the child has been reaped, so its pid may now belong to another process.
    private let reaped = Reaped()

    private final class Reaped: Sendable {
        let state = Mutex(false)
    }

    /// Starts `executable` with `arguments` and the test process's environment.
    ///
    /// - Parameters:
    ///   - stdout: called on the stdout reader's thread with each chunk read, then once with `nil`
    ///     at end of file.
    ///   - stderr: the same for stderr.
    ///   - ended: called on the waiter's thread once the child has ended and been reaped.
    public init(
        _ executable: String, _ arguments: [String], input inputKind: Input = .pipe,
        stdout: @escaping @Sendable (Data?) -> Void, stderr: @escaping @Sendable (Data?) -> Void,
        ended: @escaping @Sendable (Ending) -> Void
    ) throws {
        _ = Self.ignoreBrokenPipes
        let child = try Self.spawning.withLock { _ in try Self.spawn(executable, arguments, inputKind) }
        let pid = child.pid
        self.pid = pid
        self.input = Mutex(child.stdin)
        Self.readUntilEnd(child.stdout, deliver: stdout)
        Self.readUntilEnd(child.stderr, deliver: stderr)
        let reaped = self.reaped
        Thread {
            // Wait without reaping, then reap under the lock that `signal` takes, so a signal is
            // never sent to a pid that a new process has been given.
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
            var raw: Int32 = 0
            reaped.state.withLock { reaped in
                while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
                reaped = true
            }
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
            let signal = raw & 0x7f
            ended(signal == 0 ? .exited((raw >> 8) & 0xff) : .signalled(signal))
        }.start()
    }

    /// Writes `data` to the child's stdin; blocks while the pipe is full. Does nothing once the
    /// input is closed or the child has closed its end.
    public func write(_ data: Data) {
        input.withLock { fd in
            guard fd >= 0 else { return }
            data.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return  // EPIPE: the child is gone or closed its stdin
                    }
                }
            }
        }
    }

    /// Closes the child's stdin (it reads end of file).
    public func closeInput() {
        input.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }

    /// Sends `signal` to the child unless it has already ended.
    public func signal(_ signal: Int32) {
        reaped.state.withLock { reaped in
            if !reaped { _ = kill(pid, signal) }
        }
    }

    deinit {
        closeInput()
    }

    /// Runs `executable` to its end with stdin from `/dev/null`, blocking the caller; returns its
    /// exit status (128 + the signal's number if a signal ended it) and its stdout and stderr
    /// together, in the order the chunks were read.
    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        final class Collected: Sendable {
            let output = Mutex(Data())
            let status = Mutex<Int32>(-1)
            let done = DispatchSemaphore(value: 0)  // signalled by both readers and the waiter
        }
        let collected = Collected()
        let append: @Sendable (Data?) -> Void = { data in
            if let data { collected.output.withLock { $0.append(data) } } else { collected.done.signal() }
        }
        _ = try SpawnedProcess(executable, arguments, input: .null, stdout: append, stderr: append) { ending in
            collected.status.withLock {
                switch ending {
                case .exited(let status): $0 = status
                case .signalled(let signal): $0 = 128 + signal
                }
            }
            collected.done.signal()
        }
        for _ in 0..<3 { collected.done.wait() }
        return (collected.status.withLock { $0 }, collected.output.withLock { String(decoding: $0, as: UTF8.self) })
    }

    /// Makes the pipes and starts the child; returns its pid and the parent's ends of its pipes.
    /// Call with ``spawning`` held.
    private static func spawn(
        _ executable: String, _ arguments: [String], _ inputKind: Input
    ) throws -> (pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32) {
        let stdinPipe: (read: Int32, write: Int32)
        switch inputKind {
        case .pipe: stdinPipe = try pipe()
        case .null:
            let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard null >= 0 else { throw SpawnFailure(description: "open /dev/null: \(lastError())") }
            stdinPipe = (null, -1)
        }
        let stdoutPipe = try pipe()
        let stderrPipe = try pipe()

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copies the child keeps as 0, 1 and 2.
        posix_spawn_file_actions_adddup2(&actions, stdinPipe.read, 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe.write, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Default dispositions and no blocked signals in the child, whatever the test process set
        // (it ignores SIGPIPE, which a child would otherwise inherit).
        var all = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = (argv + [nil]).withUnsafeBufferPointer { argvPointer in
            posix_spawn(&pid, executable, &actions, &attributes,
                        UnsafeMutablePointer(mutating: argvPointer.baseAddress!), environ)
        }
        // The parent's copies of the child's ends: without closing them, end of file never comes.
        close(stdinPipe.read)
        close(stdoutPipe.write)
        close(stderrPipe.write)
        guard status == 0 else {
            if stdinPipe.write >= 0 { close(stdinPipe.write) }
            close(stdoutPipe.read)
            close(stderrPipe.read)
            throw SpawnFailure(description: "posix_spawn \(executable): \(String(cString: strerror(status)))")
        }
        return (pid, stdinPipe.write, stdoutPipe.read, stderrPipe.read)
    }

    /// A pipe whose ends are close-on-exec. Swift does not import `pipe2`, so the flag is set
    /// after `pipe`; callers hold ``spawning`` so that no other spawn runs in between.
    private static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard Glibc.pipe(&fds) == 0 else { throw SpawnFailure(description: "pipe: \(lastError())") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    /// Held while pipes are made and a child is spawned, so that no child inherits another's
    /// pipes in the moment before they are close-on-exec.
    private static let spawning = Mutex(())

    private static func readUntilEnd(_ fd: Int32, deliver: @escaping @Sendable (Data?) -> Void) {
        Thread {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    deliver(Data(buffer[0..<count]))
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            close(fd)
            deliver(nil)
        }.start()
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }

    /// Writing to a child that has gone must fail with EPIPE, not end the test process.
    private static let ignoreBrokenPipes: Void = { _ = Glibc.signal(SIGPIPE, SIG_IGN) }()
}
