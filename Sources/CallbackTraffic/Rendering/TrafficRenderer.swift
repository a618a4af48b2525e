/// Writes a `TrafficEvent` as the JSON record value of CONTRACT.md §1, by hand (no Foundation).
///
/// Member order, `Callback.` prefixes, unknown members and whitespace follow the event's layout;
/// unset metadata values are written as `false`, as the widget does.
public enum TrafficRenderer {
    /// The JSON bytes of `event`.
    public static func render(_ event: TrafficEvent) -> [UInt8] {
        var writer = JSONByteWriter(capacity: 640, spaced: event.layout.spaced)
        write(event, into: &writer)
        return writer.bytes
    }

    private enum Member {
        case interactionId, event, timestamp, eventId, metadata, attributes
    }

    private static let topLevelOrders: [[Member]] = [
        [.interactionId, .event, .timestamp, .eventId, .metadata, .attributes],
        [.event, .interactionId, .eventId, .timestamp, .attributes, .metadata],
        [.eventId, .timestamp, .event, .metadata, .attributes, .interactionId],
        [.metadata, .attributes, .timestamp, .event, .interactionId, .eventId],
    ]

    private static func write(_ event: TrafficEvent, into w: inout JSONByteWriter) {
        let layout = event.layout
        let unknown = layout.unknownField
        let unknownInMetadata = unknown == 3 && event.metadata != nil
        w.byte(0x7B)
        var first = true
        if unknown == 1 {
            w.key("widgetVersion")
            w.raw("\"9.0.016.13\"")
            first = false
        }
        let order = topLevelOrders[Int(layout.topLevelOrder % TrafficEventLayout.topLevelOrderCount)]
        for member in order {
            switch member {
            case .interactionId:
                if !first { w.comma() }
                w.key("interactionId")
                w.string(event.interactionId)
            case .event:
                if !first { w.comma() }
                w.key("event")
                w.byte(0x22)
                if event.prefixedName { w.raw("Callback.") }
                w.raw(name(event.event))
                w.byte(0x22)
            case .timestamp:
                if !first { w.comma() }
                w.key("timestamp")
                w.int(event.timestampMs)
            case .eventId:
                guard let eventId = event.eventId else { continue }
                if !first { w.comma() }
                w.key("eventId")
                w.string(eventId)
            case .metadata:
                guard let metadata = event.metadata else { continue }
                if !first { w.comma() }
                w.key("metadata")
                writeMetadata(metadata, order: layout.metadataOrder, unknown: unknownInMetadata, into: &w)
            case .attributes:
                guard let attributes = event.attributes else { continue }
                if !first { w.comma() }
                w.key("attributes")
                w.object(attributes)
            }
            first = false
        }
        if unknown == 2 || (unknown == 3 && !unknownInMetadata) {
            if !first { w.comma() }
            w.key("_trace")
            w.raw(#"{"spanId":"00f067aa0ba902b7","sampled":true,"tags":[1,2.5,-3e2,null,"x\"y\u00e9",{"k":[]}]}"#)
            first = false
        } else if unknown == 4 {
            if !first { w.comma() }
            w.key("schema")
            w.raw("\"callback/v1\"")
            w.comma()
            w.key("source")
            w.raw("null")
        }
        w.byte(0x7D)
    }

    private enum MetadataMember {
        case proactive, prefilled, autoSubmitted, errors, form, opened, started, cancelled, completed, closed, elapsed
    }

    private static let metadataOrders: [[MetadataMember]] = [
        [.proactive, .prefilled, .autoSubmitted, .errors, .form, .opened, .started, .cancelled, .completed, .closed, .elapsed],
        [.autoSubmitted, .cancelled, .closed, .completed, .elapsed, .errors, .form, .opened, .prefilled, .proactive, .started],
    ]

    private static func writeMetadata(
        _ m: TrafficMetadata, order: UInt8, unknown: Bool, into w: inout JSONByteWriter
    ) {
        w.byte(0x7B)
        for (i, member) in metadataOrders[Int(order % 2)].enumerated() {
            if i > 0 { w.comma() }
            switch member {
            case .proactive:
                w.key("proactive")
                w.bool(m.proactive)
            case .prefilled:
                w.key("prefilled")
                w.bool(m.prefilled)
            case .autoSubmitted:
                w.key("autoSubmitted")
                w.bool(m.autoSubmitted)
            case .errors:
                w.key("errors")
                writeErrors(m.errors, style: m.errorStyle, into: &w)
            case .form:
                w.key("form")
                if let form = m.form { w.object(form) } else { w.raw("false") }
            case .opened:
                w.key("opened")
                w.intOrFalse(m.opened)
            case .started:
                w.key("started")
                w.intOrFalse(m.started)
            case .cancelled:
                w.key("cancelled")
                w.intOrFalse(m.cancelled)
            case .completed:
                w.key("completed")
                w.intOrFalse(m.completed)
            case .closed:
                w.key("closed")
                w.intOrFalse(m.closed)
            case .elapsed:
                w.key("elapsed")
                w.intOrFalse(m.elapsed)
            }
        }
        if unknown {
            w.comma()
            w.key("dwell")
            w.raw("12.75")
            w.comma()
            w.key("counters")
            w.raw(#"{"views":3,"retries":0}"#)
        }
        w.byte(0x7D)
    }

    private static func writeErrors(_ errors: [String], style: TrafficErrorStyle, into w: inout JSONByteWriter) {
        guard !errors.isEmpty else {
            w.raw("false")
            return
        }
        w.byte(0x5B)
        for (i, code) in errors.enumerated() {
            if i > 0 { w.comma() }
            switch style {
            case .strings:
                w.string(code)
            case .objects:
                let detail = FakeData.errorDetail(code)
                w.byte(0x7B)
                w.key("code")
                w.string(code)
                w.comma()
                w.key("message")
                w.string(detail.message)
                w.comma()
                w.key("status")
                w.int(detail.status)
                w.byte(0x7D)
            }
        }
        w.byte(0x5D)
    }

    private static func name(_ event: TrafficEventName) -> StaticString {
        switch event {
        case .ready: "ready"
        case .opened: "opened"
        case .started: "started"
        case .submitted: "submitted"
        case .cancelled: "cancelled"
        case .completed: "completed"
        case .closed: "closed"
        }
    }
}
