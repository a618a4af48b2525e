/// JSON string escaping done the plain way, byte by byte: the reference the word-at-a-time
/// escapers of ``OutputBuffer`` are checked against.
enum ReferenceJSONEscape {
    /// The escaped content of `bytes`, without the surrounding quotes. `letters`: `\b`/`\f`
    /// (summaries) or `\u0008`/`\u000c` (window records).
    static func content(_ bytes: [UInt8], letters: Bool) -> [UInt8] {
        var out: [UInt8] = []
        for b in bytes {
            switch b {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x08 where letters: out += Array(#"\b"#.utf8)
            case 0x0C where letters: out += Array(#"\f"#.utf8)
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array(#"\u00"#.utf8) + [hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            default: out.append(b)
            }
        }
        return out
    }
}
