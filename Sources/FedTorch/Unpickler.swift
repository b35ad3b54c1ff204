import OrderedCollections

/// Bounds that keep a hostile pickle from exhausting memory (each object costs tens of bytes,
/// so the arena stays under a few hundred MB). A state dict pickles about six objects and
/// eight memo entries per tensor: EfficientNet-Lite0 needs 2,000, a model with 100,000
/// tensors under a million.
struct PickleLimits: Sendable {
    var stack = 1 << 20
    var marks = 1 << 16
    var memo = 1 << 21
    var objects = 1 << 22
    var globalNameLength = 512
    var longBytes = 256
}

/// What one pickle stream decoded to.
struct PickleResult: Sendable {
    var root: PickleValue
    /// The arena `PickleValue.object` indexes into.
    var objects: [PickleObject]
    /// Every storage a persistent id named, by key, in first-seen order.
    var storages: OrderedDictionary<String, TorchStorageReference>
    /// The offset just past the STOP opcode, where the next pickle of a legacy file starts.
    var end: Int

    /// The object a value refers to, or nil for scalars.
    func object(_ value: PickleValue) -> PickleObject? {
        if case .object(let index) = value { return self.objects[index] }
        return nil
    }
}

/// A restricted unpickler for the subset of pickle protocols 2–5 that `torch.save` writes.
///
/// It is a plain stack machine over bytes: globals are resolved only against `TorchGlobal`'s
/// allow-list, "calls" (REDUCE, NEWOBJ) only build dicts and tensor descriptions, and
/// persistent ids only describe storages. Nothing is ever executed, and every stack, memo
/// and arena is bounded by `PickleLimits`.
struct Unpickler {
    let bytes: UnsafeRawBufferPointer
    /// File path (with the archive member for zip checkpoints) for error messages.
    let path: String
    /// Which pickle this is ("the state-dict pickle"), for truncation messages.
    let context: String
    let limits: PickleLimits
    var position: Int
    /// Where the opcode being run starts, for error messages.
    var opcodeStart: Int
    var stack: [PickleValue] = []
    var marks: [Int] = []
    var memo: [Int: PickleValue] = [:]
    var objects: [PickleObject] = []
    var storages: OrderedDictionary<String, TorchStorageReference> = [:]

    init(
        bytes: UnsafeRawBufferPointer,
        from start: Int = 0,
        path: String,
        context: String,
        limits: PickleLimits = PickleLimits()
    ) {
        self.bytes = bytes
        self.path = path
        self.context = context
        self.limits = limits
        self.position = start
        self.opcodeStart = start
    }

    /// Decodes one pickle stream from `position` up to and including its STOP opcode.
    static func load(
        _ bytes: UnsafeRawBufferPointer,
        from start: Int = 0,
        path: String,
        context: String,
        limits: PickleLimits = PickleLimits()
    ) throws -> PickleResult {
        var unpickler = Unpickler(bytes: bytes, from: start, path: path, context: context, limits: limits)
        let root = try unpickler.run()
        return PickleResult(
            root: root,
            objects: unpickler.objects,
            storages: unpickler.storages,
            end: unpickler.position
        )
    }

    // MARK: Reading bytes

    /// The next `count` bytes; a stream that ends sooner is truncated.
    mutating func take(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count >= 0, count <= self.bytes.count - self.position else {
            throw TorchCheckpointError.truncated(
                path: self.path,
                detail: "\(self.context) ends at byte \(self.bytes.count) inside the opcode at byte "
                    + "\(self.opcodeStart), which needs \(count) more bytes from byte \(self.position)"
            )
        }
        let slice = UnsafeRawBufferPointer(rebasing: self.bytes[self.position..<(self.position + count)])
        self.position += count
        return slice
    }

    mutating func byte() throws -> UInt8 {
        try self.take(1)[0]
    }

    mutating func uint16() throws -> Int {
        Int(UInt16(littleEndian: try self.take(2).loadUnaligned(as: UInt16.self)))
    }

    mutating func uint32() throws -> Int {
        Int(UInt32(littleEndian: try self.take(4).loadUnaligned(as: UInt32.self)))
    }

    mutating func int32() throws -> Int64 {
        Int64(Int32(littleEndian: try self.take(4).loadUnaligned(as: Int32.self)))
    }

    /// An 8-byte length; one larger than the rest of the stream is truncation, not a huge allocation.
    mutating func length64() throws -> Int {
        let value = UInt64(littleEndian: try self.take(8).loadUnaligned(as: UInt64.self))
        return value > UInt64(Int.max) ? Int.max : Int(value)
    }

    /// A newline-terminated line of a GLOBAL opcode, bounded in length.
    mutating func line() throws -> String {
        var end = self.position
        while end < self.bytes.count, self.bytes[end] != 0x0A {
            end += 1
            if end - self.position > self.limits.globalNameLength {
                throw self.malformed("a GLOBAL name longer than \(self.limits.globalNameLength) characters")
            }
        }
        let text = String(decoding: try self.take(end - self.position), as: UTF8.self)
        _ = try self.take(1)
        return text
    }

    /// UTF-8 text of `count` bytes.
    mutating func text(_ count: Int) throws -> String {
        String(decoding: try self.take(count), as: UTF8.self)
    }

    // MARK: Stack, marks, memo, arena

    mutating func push(_ value: PickleValue) throws {
        guard self.stack.count < self.limits.stack else {
            throw TorchCheckpointError.limitExceeded(
                path: self.path,
                offset: self.opcodeStart,
                what: "stack entries",
                limit: self.limits.stack
            )
        }
        self.stack.append(value)
    }

    mutating func pop() throws -> PickleValue {
        guard let value = self.stack.popLast(), self.stack.count >= (self.marks.last ?? 0) else {
            throw self.malformed("an opcode needs a value but the stack is empty")
        }
        return value
    }

    /// The value on top of the stack, left in place.
    func top() throws -> PickleValue {
        guard let value = self.stack.last, self.stack.count > (self.marks.last ?? 0) else {
            throw self.malformed("an opcode needs a value but the stack is empty")
        }
        return value
    }

    mutating func pushMark() throws {
        guard self.marks.count < self.limits.marks else {
            throw TorchCheckpointError.limitExceeded(
                path: self.path,
                offset: self.opcodeStart,
                what: "nested marks",
                limit: self.limits.marks
            )
        }
        self.marks.append(self.stack.count)
    }

    /// The values pushed since the last MARK, removed from the stack with the mark.
    mutating func popMark() throws -> [PickleValue] {
        guard let mark = self.marks.popLast() else {
            throw self.malformed("an opcode needs a MARK but there is none")
        }
        let values = Array(self.stack[mark...])
        self.stack.removeSubrange(mark...)
        return values
    }

    mutating func remember(_ value: PickleValue, at index: Int) throws {
        guard self.memo.count < self.limits.memo || self.memo[index] != nil else {
            throw TorchCheckpointError.limitExceeded(
                path: self.path,
                offset: self.opcodeStart,
                what: "memo entries",
                limit: self.limits.memo
            )
        }
        self.memo[index] = value
    }

    func recall(_ index: Int) throws -> PickleValue {
        guard let value = self.memo[index] else {
            throw self.malformed("memo entry \(index) is read before it is written")
        }
        return value
    }

    /// Adds an object to the arena and returns the value referring to it.
    mutating func make(_ object: PickleObject) throws -> PickleValue {
        guard self.objects.count < self.limits.objects else {
            throw TorchCheckpointError.limitExceeded(
                path: self.path,
                offset: self.opcodeStart,
                what: "objects",
                limit: self.limits.objects
            )
        }
        self.objects.append(object)
        return .object(self.objects.count - 1)
    }

    /// The arena object a value refers to, or nil for scalars.
    func object(_ value: PickleValue) -> PickleObject? {
        if case .object(let index) = value { return self.objects[index] }
        return nil
    }

    func malformed(_ detail: String) -> TorchCheckpointError {
        .malformedPickle(path: self.path, offset: self.opcodeStart, detail: detail)
    }
}
