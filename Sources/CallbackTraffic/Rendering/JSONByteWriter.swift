/// Appends JSON tokens to a byte buffer: string escaping, integers, separators (the fast path of rendering).
struct JSONByteWriter {
    var bytes: [UInt8]
    /// Separators with a following space (`", "`, `": "`).
    var spaced: Bool

    init(capacity: Int, spaced: Bool = false) {
        bytes = []
        bytes.reserveCapacity(capacity)
        self.spaced = spaced
    }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func byte(_ b: UInt8) {
        bytes.append(b)
    }

    mutating func comma() {
        bytes.append(0x2C)
        if spaced { bytes.append(0x20) }
    }

    mutating func colon() {
        bytes.append(0x3A)
        if spaced { bytes.append(0x20) }
    }

    /// `"name":` for a member name that needs no escaping.
    mutating func key(_ name: StaticString) {
        bytes.append(0x22)
        raw(name)
        bytes.append(0x22)
        colon()
    }

    mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    /// An integer, or `false` when `nil` (the seed's "not set yet").
    mutating func intOrFalse(_ value: Int64?) {
        if let value { int(value) } else { raw("false") }
    }

    mutating func int(_ value: Int64) {
        if value < 0 { bytes.append(0x2D) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30)
            magnitude /= 10
        } while magnitude > 0
        var i = start, j = bytes.count - 1
        while i < j {
            bytes.swapAt(i, j)
            i += 1
            j -= 1
        }
    }

    /// A JSON string with `"`, `\` and control characters escaped; other UTF-8 is copied as is.
    mutating func string(_ value: String) {
        bytes.append(0x22)
        let done: Void? = value.utf8.withContiguousStorageIfAvailable { escape($0) }
        if done == nil { escape(Array(value.utf8)) }
        bytes.append(0x22)
    }

    private mutating func escape(_ utf8: [UInt8]) {
        utf8.withUnsafeBufferPointer { escape($0) }
    }

    private mutating func escape(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for i in 0..<utf8.count {
            let b = utf8[i]
            guard b == 0x22 || b == 0x5C || b < 0x20 else { continue }
            if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            runStart = i + 1
            bytes.append(0x5C)
            switch b {
            case 0x22: bytes.append(0x22)
            case 0x5C: bytes.append(0x5C)
            case 0x0A: bytes.append(0x6E)
            case 0x0D: bytes.append(0x72)
            case 0x09: bytes.append(0x74)
            case 0x08: bytes.append(0x62)
            case 0x0C: bytes.append(0x66)
            default:
                let hex: StaticString = "0123456789abcdef"
                raw("u00")
                hex.withUTF8Buffer { h in
                    bytes.append(h[Int(b >> 4)])
                    bytes.append(h[Int(b & 0xF)])
                }
            }
        }
        if runStart < utf8.count {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
    }

    /// `{"name":"value",…}` for ordered string pairs.
    mutating func object(_ fields: [TrafficField]) {
        bytes.append(0x7B)
        for (i, field) in fields.enumerated() {
            if i > 0 { comma() }
            string(field.name)
            colon()
            string(field.value)
        }
        bytes.append(0x7D)
    }
}
