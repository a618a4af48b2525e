#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Key bytes of all stored sessions, packed in one growing buffer (no allocation per key).
///
/// Freed keys become garbage; when garbage exceeds the live bytes (and 64 KiB), the arena is
/// compacted in one pass over the slots, so the amortised cost per key is O(1) and at most
/// half of the buffer is garbage.
@usableFromInline
internal struct SessionKeyArena: Sendable {
    var bytes: [UInt8] = []
    /// Bytes in `bytes` that belong to no live slot.
    var garbage = 0

    /// Appends `key` and returns its offset, or `nil` if offsets would exceed `UInt32`.
    mutating func append(_ key: UnsafeRawBufferPointer) -> UInt32? {
        guard bytes.count + key.count <= Int(UInt32.max) else { return nil }
        let offset = UInt32(bytes.count)
        if bytes.count + key.count > bytes.capacity {
            bytes.reserveCapacity(max(4_096, bytes.count + key.count, bytes.count + bytes.count / 2))
        }
        bytes.append(contentsOf: key)
        return offset
    }

    func equals(offset: UInt32, length: UInt16, _ key: UnsafeRawBufferPointer) -> Bool {
        guard Int(length) == key.count else { return false }
        return bytes.withUnsafeBytes { buffer in
            memcmp(buffer.baseAddress! + Int(offset), key.baseAddress!, key.count) == 0
        }
    }

    /// Lexicographic byte order of two stored keys: negative, zero or positive.
    func compare(_ aOffset: UInt32, _ aLength: UInt16, _ bOffset: UInt32, _ bLength: UInt16) -> Int32 {
        bytes.withUnsafeBytes { buffer in
            let common = Int(min(aLength, bLength))
            let order = common == 0 ? 0 : memcmp(buffer.baseAddress! + Int(aOffset), buffer.baseAddress! + Int(bOffset), common)
            if order != 0 { return order }
            return Int32(aLength) - Int32(bLength)
        }
    }

    func withKey<R>(offset: UInt32, length: UInt16, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { buffer in
            try body(UnsafeRawBufferPointer(rebasing: buffer[Int(offset) ..< Int(offset) + Int(length)]))
        }
    }

    var needsCompaction: Bool { garbage >= 65_536 && garbage * 2 > bytes.count }

    /// Rewrites the buffer with only the keys of live slots and of pending closes.
    mutating func compact(slots: inout [SessionSlot], pending: inout [PendingSessionClose]) {
        var fresh: [UInt8] = []
        fresh.reserveCapacity(bytes.count - garbage + 64)
        bytes.withUnsafeBytes { old in
            func move(_ offset: UInt32, _ length: UInt16) -> UInt32 {
                let newOffset = UInt32(fresh.count)
                fresh.append(contentsOf: UnsafeRawBufferPointer(rebasing: old[Int(offset) ..< Int(offset) + Int(length)]))
                return newOffset
            }
            for index in slots.indices where slots[index].status != .free {
                slots[index].keyOffset = move(slots[index].keyOffset, slots[index].keyLength)
            }
            for index in pending.indices {
                pending[index].keyOffset = move(pending[index].keyOffset, pending[index].keyLength)
            }
        }
        // Pending closes' keys stay until drained; count copies of ones whose slot is gone as garbage.
        garbage = 0
        bytes = fresh
    }
}
