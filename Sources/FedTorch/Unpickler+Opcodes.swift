extension Unpickler {
    /// Runs opcodes until STOP and returns the value left on the stack.
    mutating func run() throws -> PickleValue {
        while true {
            self.opcodeStart = self.position
            let opcode = try self.byte()
            switch opcode {
            case 0x80:  // PROTO
                let version = try self.byte()
                guard version >= 2 && version <= 5 else {
                    throw self.malformed("pickle protocol \(version); torch.save writes protocols 2 to 5")
                }
            case 0x95:  // FRAME: a length prefix for the opcodes that follow; nothing to do.
                _ = try self.take(8)
            case 0x2E:  // STOP
                let root = try self.pop()
                return root
            case 0x28:  // MARK
                try self.pushMark()
            case 0x30:  // POP
                _ = try self.pop()
            case 0x31:  // POP_MARK
                _ = try self.popMark()
            case 0x32:  // DUP
                try self.push(try self.top())

            case 0x4A:  // BININT
                try self.push(.int(try self.int32()))
            case 0x4B:  // BININT1
                try self.push(.int(Int64(try self.byte())))
            case 0x4D:  // BININT2
                try self.push(.int(Int64(try self.uint16())))
            case 0x8A:  // LONG1
                try self.push(try self.long(byteCount: Int(try self.byte())))
            case 0x8B:  // LONG4
                try self.push(try self.long(byteCount: try self.uint32()))
            case 0x47:  // BINFLOAT: big-endian IEEE double
                let bits = UInt64(bigEndian: try self.take(8).loadUnaligned(as: UInt64.self))
                try self.push(.float(Double(bitPattern: bits)))
            case 0x4E:  // NONE
                try self.push(.none)
            case 0x88:  // NEWTRUE
                try self.push(.bool(true))
            case 0x89:  // NEWFALSE
                try self.push(.bool(false))

            case 0x58:  // BINUNICODE
                try self.push(.string(try self.text(try self.uint32())))
            case 0x8C:  // SHORT_BINUNICODE
                try self.push(.string(try self.text(Int(try self.byte()))))
            case 0x8D:  // BINUNICODE8
                try self.push(.string(try self.text(try self.length64())))
            case 0x54:  // BINSTRING: a Python 2 str, as legacy checkpoints saved under Python 2 hold
                try self.push(.string(try self.latin1(try self.uint32())))
            case 0x55:  // SHORT_BINSTRING
                try self.push(.string(try self.latin1(Int(try self.byte()))))
            case 0x42:  // BINBYTES
                try self.push(.bytes(Array(try self.take(try self.uint32()))))
            case 0x43:  // SHORT_BINBYTES
                try self.push(.bytes(Array(try self.take(Int(try self.byte())))))
            case 0x8E:  // BINBYTES8
                try self.push(.bytes(Array(try self.take(try self.length64()))))

            case 0x29:  // EMPTY_TUPLE
                try self.push(try self.make(.tuple([])))
            case 0x74:  // TUPLE
                let items = try self.popMark()
                try self.push(try self.make(.tuple(items)))
            case 0x85, 0x86, 0x87:  // TUPLE1, TUPLE2, TUPLE3
                var items: [PickleValue] = []
                for _ in 0..<Int(opcode - 0x84) { items.insert(try self.pop(), at: 0) }
                try self.push(try self.make(.tuple(items)))
            case 0x5D:  // EMPTY_LIST
                try self.push(try self.make(.list([])))
            case 0x6C:  // LIST
                let items = try self.popMark()
                try self.push(try self.make(.list(items)))
            case 0x61:  // APPEND
                let item = try self.pop()
                try self.append([item], to: try self.top())
            case 0x65:  // APPENDS
                let items = try self.popMark()
                try self.append(items, to: try self.top())
            case 0x7D:  // EMPTY_DICT
                try self.push(try self.make(.dict(PickleDict())))
            case 0x64:  // DICT
                let items = try self.popMark()
                let dict = try self.make(.dict(PickleDict()))
                try self.setItems(items, in: dict)
                try self.push(dict)
            case 0x73:  // SETITEM
                let value = try self.pop()
                let key = try self.pop()
                try self.setItems([key, value], in: try self.top())
            case 0x75:  // SETITEMS
                let items = try self.popMark()
                try self.setItems(items, in: try self.top())
            case 0x8F:  // EMPTY_SET
                try self.push(try self.make(.set))
            case 0x90:  // ADDITEMS
                _ = try self.popMark()
                guard case .set? = self.object(try self.top()) else { throw self.malformed("ADDITEMS on a non-set") }
            case 0x91:  // FROZENSET
                _ = try self.popMark()
                try self.push(try self.make(.set))

            case 0x71:  // BINPUT
                try self.remember(try self.top(), at: Int(try self.byte()))
            case 0x72:  // LONG_BINPUT
                try self.remember(try self.top(), at: try self.uint32())
            case 0x94:  // MEMOIZE
                try self.remember(try self.top(), at: self.memo.count)
            case 0x68:  // BINGET
                try self.push(try self.recall(Int(try self.byte())))
            case 0x6A:  // LONG_BINGET
                try self.push(try self.recall(try self.uint32()))

            case 0x63:  // GLOBAL
                let module = try self.line()
                let name = try self.line()
                try self.push(try self.resolveGlobal(module: module, name: name))
            case 0x93:  // STACK_GLOBAL
                let name = try self.pop()
                let module = try self.pop()
                guard case .string(let moduleName) = module, case .string(let globalName) = name else {
                    throw self.malformed("STACK_GLOBAL needs two strings")
                }
                try self.push(try self.resolveGlobal(module: moduleName, name: globalName))
            case 0x52:  // REDUCE
                let arguments = try self.pop()
                let callable = try self.pop()
                try self.push(try self.reduce(callable, arguments))
            case 0x81:  // NEWOBJ
                let arguments = try self.pop()
                let callable = try self.pop()
                try self.push(try self.newObject(callable, arguments))
            case 0x92:  // NEWOBJ_EX
                _ = try self.pop()
                let arguments = try self.pop()
                let callable = try self.pop()
                try self.push(try self.newObject(callable, arguments))
            case 0x62:  // BUILD
                let state = try self.pop()
                try self.build(try self.top(), state: state)
            case 0x51:  // BINPERSID
                let identifier = try self.pop()
                try self.push(try self.persistentLoad(identifier))

            default:
                throw TorchCheckpointError.unsupportedOpcode(
                    path: self.path,
                    offset: self.opcodeStart,
                    opcode: opcode,
                    name: Self.opcodeName(opcode)
                )
            }
        }
    }

    /// A LONG1/LONG4 integer: Int64 when it fits, otherwise its raw bytes.
    private mutating func long(byteCount: Int) throws -> PickleValue {
        guard byteCount <= self.limits.longBytes else {
            throw TorchCheckpointError.limitExceeded(
                path: self.path,
                offset: self.opcodeStart,
                what: "bytes in one integer",
                limit: self.limits.longBytes
            )
        }
        let raw = Array(try self.take(byteCount))
        if byteCount == 0 { return .int(0) }
        if byteCount > 8 { return .bigInt(raw) }
        var value: UInt64 = 0
        for (index, byte) in raw.enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
        // Sign-extend from the top byte read.
        if raw[byteCount - 1] & 0x80 != 0, byteCount < 8 { value |= ~UInt64(0) << (8 * UInt64(byteCount)) }
        return .int(Int64(bitPattern: value))
    }

    /// Python 2 `str` bytes, decoded as Latin-1 (every byte is one character).
    private mutating func latin1(_ count: Int) throws -> String {
        String(String.UnicodeScalarView(try self.take(count).map { Unicode.Scalar($0) }))
    }

    /// Names of the opcodes this reader refuses, for the error message.
    static func opcodeName(_ opcode: UInt8) -> String {
        switch opcode {
        case 0x49: "INT"
        case 0x4C: "LONG"
        case 0x46: "FLOAT"
        case 0x53: "STRING"
        case 0x56: "UNICODE"
        case 0x67: "GET"
        case 0x70: "PUT"
        case 0x69: "INST"
        case 0x6F: "OBJ"
        case 0x50: "PERSID"
        case 0x82: "EXT1"
        case 0x83: "EXT2"
        case 0x84: "EXT4"
        case 0x96: "BYTEARRAY8"
        case 0x97: "NEXT_BUFFER"
        case 0x98: "READONLY_BUFFER"
        default: "unknown"
        }
    }
}
