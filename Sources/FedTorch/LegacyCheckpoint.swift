import OrderedCollections

/// The pre-1.6 `torch.save` layout: five pickles in a row — magic number, protocol version,
/// system info, the state dict (storages as persistent ids), the list of storage keys — and
/// then each storage in that list's order as an 8-byte little-endian element count followed
/// by its raw little-endian elements.
enum LegacyCheckpoint {
    /// 0x1950a86a20f9469cfc6c, the magic number torch pickles first, as LONG1 bytes.
    static let magicNumber: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
    static let protocolVersion: Int64 = 1001

    /// Reads the checkpoint held in `bytes`; `path` names it in errors.
    static func read(_ bytes: UnsafeRawBufferPointer, path: String) throws -> TorchStateDict {
        let magic = try Unpickler.load(bytes, path: path, context: "the magic-number pickle")
        guard magic.root == .bigInt(Self.magicNumber) else {
            throw TorchCheckpointError.notACheckpoint(
                path: path,
                detail: "it is a pickle, but it does not start with torch.save's magic number"
            )
        }
        let version = try Unpickler.load(bytes, from: magic.end, path: path, context: "the protocol-version pickle")
        guard version.root == .int(Self.protocolVersion) else {
            throw TorchCheckpointError.unsupportedLayout(
                path: path,
                detail: "legacy checkpoint protocol \(version.root) is not 1001, the only one torch writes"
            )
        }
        let system = try Unpickler.load(bytes, from: version.end, path: path, context: "the system-info pickle")
        if case .dict(let info)? = system.object(system.root),
            let index = info.keys.firstIndex(of: .string("little_endian")), info.values[index] == .bool(false)
        {
            throw TorchCheckpointError.unsupportedLayout(
                path: path,
                detail: "the checkpoint was saved on a big-endian machine, which fedtune does not read"
            )
        }
        let main = try Unpickler.load(bytes, from: system.end, path: path, context: "the state-dict pickle")
        let keyList = try Unpickler.load(bytes, from: main.end, path: path, context: "the storage-key pickle")
        let keys = try self.storageKeys(keyList, path: path)

        // Locate every storage first (each is needed to find the next), then decode on demand.
        var ranges: [String: Range<Int>] = [:]
        var position = keyList.end
        for key in keys {
            guard let reference = main.storages[key] else {
                throw TorchCheckpointError.corruptedStorage(
                    path: path,
                    storage: key,
                    detail: "the data section lists it but the state dict never names it"
                )
            }
            guard bytes.count - position >= 8 else {
                throw TorchCheckpointError.truncated(
                    path: path,
                    detail: "the file ends at byte \(bytes.count), before the element count of storage '\(key)' "
                        + "at byte \(position)"
                )
            }
            let count = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
            guard count == UInt64(reference.count) else {
                throw TorchCheckpointError.corruptedStorage(
                    path: path,
                    storage: key,
                    detail: "the data section at byte \(position) says \(count) elements, the state dict says "
                        + "\(reference.count)"
                )
            }
            let start = position + 8
            let (byteCount, overflow) = reference.count.multipliedReportingOverflow(by: reference.dtype.byteWidth)
            guard !overflow, byteCount <= bytes.count - start else {
                throw TorchCheckpointError.truncated(
                    path: path,
                    detail: "storage '\(key)' needs \(reference.count) \(reference.dtype.rawValue) elements from byte "
                        + "\(start), but the file ends at byte \(bytes.count)"
                )
            }
            ranges[key] = start..<(start + byteCount)
            position = start + byteCount
        }

        let entries = try StateDictLayout.entries(in: main, path: path)
        return try StateDictLayout.assemble(entries, format: .legacy, path: path) { storage, tensor in
            guard let range = ranges[storage.key] else {
                throw TorchCheckpointError.corruptedStorage(
                    path: path,
                    storage: storage.key,
                    detail: "tensor '\(tensor)' uses it but the data section does not list it"
                )
            }
            return TorchStorageData.decode(
                UnsafeRawBufferPointer(rebasing: bytes[range]),
                dtype: storage.dtype,
                count: storage.count
            )
        }
    }

    /// The storage keys the last pickle lists, in data-section order.
    private static func storageKeys(_ result: PickleResult, path: String) throws -> [String] {
        guard case .list(let items)? = result.object(result.root) else {
            throw TorchCheckpointError.malformedPickle(
                path: path,
                offset: result.end,
                detail: "the storage-key pickle does not hold a list"
            )
        }
        return try items.map { item in
            switch item {
            case .string(let key): return key
            case .int(let key): return String(key)
            default:
                throw TorchCheckpointError.malformedPickle(
                    path: path,
                    offset: result.end,
                    detail: "the storage-key list holds \(item.kindName)"
                )
            }
        }
    }
}
