/// An open-addressing hash table from UTF-8 byte strings to token ids.
///
/// Why not `[String: Int32]`: Swift compares and hashes `String`s by canonical equivalence,
/// so `"é"` (U+00E9) and `"e\u{301}"` would be the same key. Hugging Face's tokenizers
/// compare bytes, and a vocabulary may hold both spellings with different ids. Keying by
/// bytes also lets WordPiece look up slices of a word without building a `String` each time.
struct TokenTable: Sendable {
    /// Every key's bytes, back to back.
    private var storage: [UInt8] = []
    /// Entry `e`'s key is `storage[starts[e]..<starts[e + 1]]`.
    private var starts: [Int] = [0]
    private var values: [Int32] = []
    private var hashes: [UInt64] = []
    /// Entry index per slot, or -1 when the slot is empty.
    private var slots: [Int32]
    private var mask: Int

    /// An empty table sized for about `capacity` keys without growing.
    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        self.slots = [Int32](repeating: -1, count: size)
        self.mask = size - 1
    }

    var count: Int { self.values.count }

    /// Maps `key` to `value`; a key seen before keeps its slot and takes the new value, as a
    /// later vocab.txt line overrides an earlier one in Hugging Face's reader.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, value: Int32) {
        let hash = Self.hash(key)
        var slot = Int(truncatingIfNeeded: hash) & self.mask
        while true {
            let entry = Int(self.slots[slot])
            if entry < 0 { break }
            if self.hashes[entry] == hash && self.keyEquals(entry, key) {
                self.values[entry] = value
                return
            }
            slot = (slot + 1) & self.mask
        }
        self.slots[slot] = Int32(self.values.count)
        self.storage.append(contentsOf: key)
        self.starts.append(self.storage.count)
        self.values.append(value)
        self.hashes.append(hash)
        if self.values.count * 2 > self.slots.count { self.grow() }
    }

    /// The value stored for exactly these bytes.
    func value(for key: UnsafeBufferPointer<UInt8>) -> Int32? {
        let hash = Self.hash(key)
        var slot = Int(truncatingIfNeeded: hash) & self.mask
        while true {
            let entry = Int(self.slots[slot])
            if entry < 0 { return nil }
            if self.hashes[entry] == hash && self.keyEquals(entry, key) { return self.values[entry] }
            slot = (slot + 1) & self.mask
        }
    }

    private func keyEquals(_ entry: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = self.starts[entry]
        let length = self.starts[entry + 1] - start
        guard length == key.count else { return false }
        return self.storage.withUnsafeBufferPointer { bytes in
            for offset in 0..<length where bytes[start + offset] != key[offset] { return false }
            return true
        }
    }

    private mutating func grow() {
        let size = self.slots.count * 2
        self.slots = [Int32](repeating: -1, count: size)
        self.mask = size - 1
        for entry in 0..<self.values.count {
            var slot = Int(truncatingIfNeeded: self.hashes[entry]) & self.mask
            while self.slots[slot] >= 0 { slot = (slot + 1) & self.mask }
            self.slots[slot] = Int32(entry)
        }
    }

    /// FNV-1a over the bytes, then a final avalanche so that the low bits used for the slot
    /// depend on every byte.
    private static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }
}
