import FedSupport
import OrderedCollections

/// What the unpickler does instead of importing and calling: resolve allowed globals,
/// build dicts and tensor descriptions, and describe storages named by persistent ids.
extension Unpickler {
    /// The allowed global `module.name`, or a refusal naming it.
    mutating func resolveGlobal(module: String, name: String) throws -> PickleValue {
        guard let global = TorchGlobal(module: module, name: name) else {
            throw TorchCheckpointError.refusedGlobal(
                path: self.path,
                offset: self.opcodeStart,
                global: UntrustedText.clean("\(module).\(name)", maximumBytes: 200)
            )
        }
        return try self.make(.global(global))
    }

    /// REDUCE: `callable(*arguments)` for the allowed globals that can be called.
    mutating func reduce(_ callable: PickleValue, _ arguments: PickleValue) throws -> PickleValue {
        guard case .global(let global)? = self.object(callable) else {
            throw self.malformed("REDUCE calls \(self.describe(callable)), which is not a global")
        }
        let arguments = try self.tuple(arguments, for: global.qualifiedName)
        switch global {
        case .orderedDict:
            let dict = try self.make(.dict(PickleDict()))
            if let pairs = arguments.first {
                for pair in try self.sequence(pairs, for: "OrderedDict's items") {
                    try self.setItems(try self.tuple(pair, for: "an OrderedDict item"), in: dict)
                }
            }
            return dict
        case .rebuildTensor:
            return try self.make(.tensor(try self.tensor(arguments, global: global)))
        case .rebuildParameter:
            guard let data = arguments.first, case .tensor? = self.object(data) else {
                throw self.malformed("\(global.qualifiedName) is not given a tensor")
            }
            return data
        case .storageType, .dtype:
            throw self.malformed("the pickle calls \(global.qualifiedName), which a state dict never does")
        }
    }

    /// NEWOBJ: only `OrderedDict.__new__` makes sense in a state dict.
    mutating func newObject(_ callable: PickleValue, _ arguments: PickleValue) throws -> PickleValue {
        guard case .global(.orderedDict)? = self.object(callable) else {
            throw self.malformed("NEWOBJ creates \(self.describe(callable)); only OrderedDict is allowed")
        }
        return try self.make(.dict(PickleDict()))
    }

    /// BUILD: attribute state (a state dict's `_metadata`, a tensor's Python attributes) is
    /// not needed for the weights and is dropped.
    mutating func build(_ target: PickleValue, state: PickleValue) throws {
        switch self.object(target) {
        case .dict?, .tensor?: return
        default: throw self.malformed("BUILD sets the state of \(self.describe(target))")
        }
    }

    /// BINPERSID: `('storage', torch.FloatStorage, key, location, size[, view])` names a storage.
    mutating func persistentLoad(_ identifier: PickleValue) throws -> PickleValue {
        let fields = try self.tuple(identifier, for: "a persistent id")
        guard fields.count >= 5, fields[0] == .string("storage") else {
            throw self.malformed("a persistent id that is not ('storage', type, key, location, size)")
        }
        guard case .global(.storageType(let dtype))? = self.object(fields[1]) else {
            throw self.malformed("a persistent id whose storage type is \(self.describe(fields[1]))")
        }
        let key: String
        switch fields[2] {
        case .string(let text): key = text
        case .int(let number): key = String(number)
        default: throw self.malformed("a persistent id whose key is \(fields[2].kindName)")
        }
        let count = try self.count(fields[4], for: "storage '\(key)' size")
        var reference = TorchStorageReference(key: key, dtype: dtype, count: count)
        if fields.count > 5, fields[5] != .none {
            // Legacy views: `(view_key, offset, view_size)` into the storage, in elements.
            let view = try self.tuple(fields[5], for: "a storage view")
            guard view.count == 3 else { throw self.malformed("storage '\(key)' has a view of \(view.count) fields") }
            let offset = try self.count(view[1], for: "storage '\(key)' view offset")
            let size = try self.count(view[2], for: "storage '\(key)' view size")
            guard offset <= count, size <= count - offset else {
                throw TorchCheckpointError.corruptedStorage(
                    path: self.path,
                    storage: key,
                    detail: "a view of \(size) elements from element \(offset) lies outside its \(count) elements"
                )
            }
            reference.view = (offset, size)
        }
        if let known = self.storages[key], known.dtype != dtype || known.count != count {
            throw TorchCheckpointError.corruptedStorage(
                path: self.path,
                storage: key,
                detail:
                    "it is named as \(known.count) \(known.dtype.rawValue) elements and as \(count) \(dtype.rawValue)"
            )
        }
        self.storages[key] = TorchStorageReference(key: key, dtype: dtype, count: count)
        return try self.make(.storage(reference))
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, metadata])`.
    private func tensor(_ arguments: [PickleValue], global: TorchGlobal) throws -> TorchTensorReference {
        guard arguments.count >= 4, case .storage(let storage)? = self.object(arguments[0]) else {
            throw self.malformed("\(global.qualifiedName) is not given (storage, offset, size, stride)")
        }
        let offset = try self.count(arguments[1], for: "a tensor's storage offset")
        let shape = try self.tuple(arguments[2], for: "a tensor's size").map { try self.count($0, for: "a dimension") }
        let stride = try self.tuple(arguments[3], for: "a tensor's stride").map { try self.count($0, for: "a stride") }
        guard shape.count == stride.count, shape.count <= 64 else {
            throw self.malformed("a tensor of size \(shape) has strides \(stride)")
        }
        return TorchTensorReference(storage: storage, offset: offset, shape: shape, stride: stride)
    }

    // MARK: Containers

    mutating func append(_ items: [PickleValue], to target: PickleValue) throws {
        guard case .object(let index) = target, case .list(var list) = self.objects[index] else {
            throw self.malformed("APPEND to \(self.describe(target)), which is not a list")
        }
        // Release the arena's reference first so the append below does not copy the list.
        self.objects[index] = .set
        list.append(contentsOf: items)
        self.objects[index] = .list(list)
    }

    /// SETITEM(S): `items` alternates keys and values.
    mutating func setItems(_ items: [PickleValue], in target: PickleValue) throws {
        guard case .object(let index) = target, case .dict(var dict) = self.objects[index] else {
            throw self.malformed("SETITEM on \(self.describe(target)), which is not a dict")
        }
        guard items.count % 2 == 0 else { throw self.malformed("SETITEMS with a key but no value") }
        self.objects[index] = .set
        for pair in stride(from: 0, to: items.count, by: 2) {
            dict.set(items[pair], items[pair + 1])
        }
        self.objects[index] = .dict(dict)
    }

    private func tuple(_ value: PickleValue, for role: String) throws -> [PickleValue] {
        guard case .tuple(let items)? = self.object(value) else {
            throw self.malformed("\(role) is \(self.describe(value)), not a tuple")
        }
        return items
    }

    private func sequence(_ value: PickleValue, for role: String) throws -> [PickleValue] {
        switch self.object(value) {
        case .tuple(let items)?, .list(let items)?: return items
        default: throw self.malformed("\(role) is \(self.describe(value)), not a list")
        }
    }

    /// A non-negative Int (a size, offset or stride).
    private func count(_ value: PickleValue, for role: String) throws -> Int {
        guard case .int(let number) = value, number >= 0, number <= Int64(Int32.max) * 1024 else {
            throw self.malformed("\(role) is \(value.kindName == "an int" ? "out of range" : value.kindName)")
        }
        return Int(number)
    }

    private func describe(_ value: PickleValue) -> String {
        self.object(value)?.kindName ?? value.kindName
    }
}
