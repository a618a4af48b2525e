import Foundation
import Testing

@testable import CallbackStreamCore

/// The repository root (tests read `schemas/` and run `scripts/`).
enum Repository {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}

/// An owned copy of a decoded event, for assertions after the decoder's views expire.
struct OwnedEvent: Equatable {
    var interactionId: String
    var name: LifecycleEventName
    var timestamp: Int64
    var eventId: String?
    var metadata: OwnedMetadata?
    var attributes: [Pair]

    struct Pair: Equatable {
        var name: String
        var value: String
    }

    struct OwnedMetadata: Equatable {
        var proactive = false
        var prefilled = false
        var autoSubmitted = false
        var errors: [String] = []
        var form: [Pair]?
        var opened: Int64?
        var started: Int64?
        var cancelled: Int64?
        var completed: Int64?
        var closed: Int64?
        var elapsed: Int64?
    }

    init(_ e: LifecycleEvent) {
        interactionId = e.interactionId.string
        name = e.name
        timestamp = e.timestamp
        eventId = e.eventId?.string
        attributes = e.attributes.map { Pair(name: $0.name.string, value: $0.value.string) }
        if let m = e.metadata {
            metadata = OwnedMetadata(
                proactive: m.proactive, prefilled: m.prefilled, autoSubmitted: m.autoSubmitted,
                errors: m.errors.map(\.string), form: m.form.map { $0.map { Pair(name: $0.name.string, value: $0.value.string) } },
                opened: m.opened, started: m.started, cancelled: m.cancelled, completed: m.completed, closed: m.closed,
                elapsed: m.elapsed)
        }
    }
}

/// Decodes `json` (UTF-8) with key `key` and returns an owned copy or the rejection.
func decodeOwned(
    _ json: String, key: String? = "cb-1", decoder: LifecycleEventDecoder = LifecycleEventDecoder()
) -> Result<OwnedEvent, Rejection> {
    decodeOwned(bytes: Array(json.utf8), key: key.map { Array($0.utf8) }, decoder: decoder)
}

func decodeOwned(bytes: [UInt8], key: [UInt8]?, decoder: LifecycleEventDecoder = LifecycleEventDecoder())
    -> Result<OwnedEvent, Rejection>
{
    decoder.decode(key: key, value: bytes) { result in
        switch result {
        case .event(let e): .success(OwnedEvent(e))
        case .rejected(let r): .failure(r)
        }
    }
}

/// Drives records through decoder → state → encoder the way the processor does.
struct SessionDriver {
    let decoder: LifecycleEventDecoder
    var symbols = SymbolTable()
    var state: InteractionState
    var limits = InteractionLimits()

    init(keepFormValues: Bool = false, decoder: LifecycleEventDecoder = LifecycleEventDecoder()) {
        self.decoder = decoder
        state = InteractionState(keepFormValues: keepFormValues)
    }

    struct DecodeFailed: Error, CustomStringConvertible {
        let rejection: Rejection
        var description: String { "record rejected: \(rejection)" }
    }

    /// Applies one record; its key defaults to its `interactionId`.
    @discardableResult
    mutating func apply(_ json: String, key: String? = nil) throws -> ApplyResult {
        try apply(bytes: Array(json.utf8), key: key ?? interactionId(of: json))
    }

    @discardableResult
    mutating func apply(bytes: [UInt8], key: String?) throws -> ApplyResult {
        let keyBytes = key.map { Array($0.utf8) }
        let outcome: Result<ApplyResult, DecodeFailed> = decoder.decode(key: keyBytes, value: bytes) { result in
            switch result {
            case .event(let e): .success(state.apply(e, symbols: &symbols, limits: limits))
            case .rejected(let r): .failure(DecodeFailed(rejection: r))
            }
        }
        return try outcome.get()
    }

    func summary(
        interactionId: String = "cb-1", sessionSeq: Int = 1, closeReason: CloseReason = .closed,
        extraAnomalies: AnomalySet = [], includeFormValues: Bool = false
    ) -> String {
        var out = OutputBuffer()
        var id = interactionId
        id.withUTF8 { idBytes in
            SummaryEncoder(includeFormValues: includeFormValues).encodeSummary(
                state, interactionId: UnsafeRawBufferPointer(idBytes), sessionSeq: sessionSeq,
                closeReason: closeReason, extraAnomalies: extraAnomalies, symbols: symbols, into: &out)
        }
        return out.string
    }

    func live(interactionId: String = "cb-1", sessionSeq: Int = 1) -> String {
        var out = OutputBuffer()
        var id = interactionId
        id.withUTF8 { idBytes in
            SummaryEncoder().encodeLiveSession(
                state, interactionId: UnsafeRawBufferPointer(idBytes), sessionSeq: sessionSeq, symbols: symbols,
                into: &out)
        }
        return out.string
    }

    /// The summary parsed as a dictionary (Foundation is fine in tests).
    func summaryObject(
        interactionId: String = "cb-1", closeReason: CloseReason = .closed, extraAnomalies: AnomalySet = []
    ) throws -> [String: Any] {
        let text = summary(interactionId: interactionId, closeReason: closeReason, extraAnomalies: extraAnomalies)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }
}

/// The `interactionId` of a JSON event (test helper; Foundation).
func interactionId(of json: String) -> String? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
    return object["interactionId"] as? String
}

/// Builds event JSON for tests.
struct EventJSON {
    var interactionId = "cb-1"
    var event: String
    var timestamp: Int64
    var eventId: String?
    /// Raw JSON of the metadata block, if any.
    var metadata: String?
    var attributes: [(String, String)] = []

    init(
        _ event: String, _ timestamp: Int64, id: String? = nil, metadata: String? = nil,
        attributes: [(String, String)] = [], interactionId: String = "cb-1"
    ) {
        self.event = event
        self.timestamp = timestamp
        self.eventId = id
        self.metadata = metadata
        self.attributes = attributes
        self.interactionId = interactionId
    }

    var json: String {
        var s = "{\"interactionId\":\(quoted(interactionId)),\"event\":\(quoted(event)),\"timestamp\":\(timestamp)"
        if let eventId { s += ",\"eventId\":\(quoted(eventId))" }
        if let metadata { s += ",\"metadata\":\(metadata)" }
        if !attributes.isEmpty {
            s += ",\"attributes\":{" + attributes.map { "\(quoted($0.0)):\(quoted($0.1))" }.joined(separator: ",") + "}"
        }
        return s + "}"
    }
}

/// A JSON string literal for `s` (test helper).
func quoted(_ s: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])
    let text = String(decoding: data, as: UTF8.self)
    return String(text.dropFirst().dropLast())
}
