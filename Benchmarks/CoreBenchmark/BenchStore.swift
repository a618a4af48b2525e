import CallbackStreamCore

/// A minimal per-partition session map for the benchmark: interaction ids interned in their
/// own ``SymbolTable`` index a dense array of states. Sessions end on `closed` (rendered when
/// `encode` is on); no timers, watermarks or late-event handling (that is the session store's
/// job, not measured here).
struct BenchStore {
    var values = SymbolTable(capacity: 1 << 12)
    var ids = SymbolTable(capacity: 1 << 13)
    var states: [InteractionState] = []
    var open = 0
    var summaries = 0
    var summaryBytes = 0
    var duplicates = 0
    var output = OutputBuffer(capacity: 4096)
    let encoder = SummaryEncoder()

    mutating func process(_ event: LifecycleEvent, encode: Bool) {
        let idBytes = event.interactionId.bytes
        let id: SymbolID
        if let existing = ids.lookup(idBytes) {
            id = existing
        } else {
            id = ids.intern(idBytes)
            let slot = Int(id.rawValue)
            while states.count <= slot { states.append(InteractionState()) }
            open += 1
        }
        let slot = Int(id.rawValue)
        let result = states[slot].apply(event, symbols: &values)
        if result == .duplicate { duplicates += 1 }
        guard event.name == .closed, result != .duplicate else { return }
        if encode {
            output.removeAll()
            encoder.encodeSummary(
                states[slot], interactionId: idBytes, sessionSeq: 1, closeReason: .closed, symbols: values,
                into: &output)
            summaries += 1
            summaryBytes += output.count
        }
        states[slot].releaseSymbols(in: &values)
        ids.release(id)
        open -= 1
    }

    /// Average ``InteractionState/memoryFootprint`` of the open sessions.
    var averageFootprint: Double {
        var total = 0
        var count = 0
        for state in states where state.eventCount > 0 {
            total += state.memoryFootprint
            count += 1
        }
        return count == 0 ? 0 : Double(total) / Double(count)
    }
}
