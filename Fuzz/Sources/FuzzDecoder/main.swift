// libFuzzer entry point for the core: every input is decoded as a record value (key "cb-1");
// accepted events are applied to a session and rendered, and the outputs are checked.
//
// SwiftPM links executables with `main` aliased to `FuzzDecoder_main` (this file's top-level
// code), so libFuzzer's own `main` is not used: the top-level code hands control to libFuzzer
// through `LLVMFuzzerRunDriver`.
import CallbackStreamCore

#if canImport(Glibc)
import Glibc
#endif

/// The harness state, reused across inputs like a partition worker reuses its decoder.
/// Only touched from libFuzzer's single fuzzing thread.
struct Harness {
    let decoder = LifecycleEventDecoder()
    let tightDecoder = LifecycleEventDecoder(limits: DecoderLimits(maxRecordBytes: 1024, maxDepth: 5, maxListEntries: 3))
    let validator = LifecycleEventDecoder(limits: DecoderLimits(maxRecordBytes: 1 << 20, maxDepth: 64, maxListEntries: 1 << 12))
    var symbols = SymbolTable()
    var state = InteractionState(keepFormValues: true)
    var output = OutputBuffer()
    var inputs = 0
    let key: [UInt8] = Array("cb-1".utf8)

    mutating func run(_ value: UnsafeRawBufferPointer) {
        inputs += 1
        let decoder = value.count % 5 == 0 ? tightDecoder : decoder
        key.withUnsafeBytes { key in
            switch decoder.decode(key: key, value: value) {
            case .rejected(let rejection):
                check(!rejection.detail.isEmpty, "empty rejection detail")
            case .event(let event):
                check(event.interactionId.elementsEqual(key), "accepted an event whose id differs from the key")
                check(event.timestamp >= 0 && event.timestamp <= LifecycleEvent.maxTimestamp, "timestamp out of range")
                _ = state.apply(event, symbols: &symbols, limits: InteractionLimits(maxEvents: 64, maxDistinctValues: 32))
                render(key, live: false)
                render(key, live: true)
            }
        }
        // Start a fresh session now and then; the symbol table must then be empty again.
        if inputs % 16 == 0 || state.eventCount >= 64 {
            state.releaseSymbols(in: &symbols)
            check(symbols.count == 0, "symbols leaked after releasing the only session")
        }
    }

    /// Renders the session and checks the output is valid JSON (parsed by a generous decoder:
    /// a summary is not an event, so any rejection but invalid_json/too_large is expected).
    mutating func render(_ key: UnsafeRawBufferPointer, live: Bool) {
        output.removeAll()
        let encoder = SummaryEncoder(includeFormValues: true)
        if live {
            encoder.encodeLiveSession(state, interactionId: key, sessionSeq: 1, symbols: symbols, into: &output)
        } else {
            encoder.encodeSummary(
                state, interactionId: key, sessionSeq: 1, closeReason: .inactivityTimeout, extraAnomalies: [.evicted],
                symbols: symbols, into: &output)
        }
        output.withUnsafeBytes { bytes in
            if case .rejected(let r) = validator.decode(key: nil, value: bytes) {
                check(r.code != .invalidJSON && r.code != .tooLarge, "encoder produced invalid JSON: \(r)")
            }
        }
    }

    func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("invariant violated: \(message())") }
    }
}

nonisolated(unsafe) var harness = Harness()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    harness.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}

typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: FuzzCallback
) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
