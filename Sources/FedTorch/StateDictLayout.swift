import FedTensor
import OrderedCollections

/// Finds the state dict in an unpickled checkpoint and assembles its tensors from storages.
enum StateDictLayout {
    /// The named tensors of the state dict and the outer key it was found under.
    struct Entries {
        var tensors: [(name: String, tensor: TorchTensorReference)]
        var nestedKey: String?
    }

    /// The top-level dict when every value is a tensor, or else the one entry of it that is
    /// such a dict (`{'state_dict': …, 'epoch': 3}`); anything else is refused with what it holds.
    static func entries(in result: PickleResult, path: String) throws -> Entries {
        guard case .dict(let root)? = result.object(result.root) else {
            let kind = result.object(result.root)?.kindName ?? result.root.kindName
            throw TorchCheckpointError.notAStateDict(
                path: path,
                detail: "the file holds \(kind), not a dict of tensors"
            )
        }
        if let tensors = self.tensors(of: root, in: result) {
            return Entries(tensors: tensors, nestedKey: nil)
        }
        var found: [(key: String, tensors: [(name: String, tensor: TorchTensorReference)])] = []
        var others: [String] = []
        for (key, value) in zip(root.keys, root.values) {
            let name = self.keyName(key)
            if case .dict(let inner)? = result.object(value), inner.count > 0,
                let tensors = self.tensors(of: inner, in: result)
            {
                found.append((name, tensors))
            } else {
                others.append("'\(name)' holds \(result.object(value)?.kindName ?? value.kindName)")
            }
        }
        if found.count == 1 {
            return Entries(tensors: found[0].tensors, nestedKey: found[0].key)
        }
        if found.isEmpty {
            let listed = others.prefix(5).joined(separator: ", ") + (others.count > 5 ? ", …" : "")
            throw TorchCheckpointError.notAStateDict(
                path: path,
                detail: "its top-level dict is not a dict of tensors and holds none (\(listed))"
            )
        }
        let keys = found.map { "'\($0.key)'" }.joined(separator: ", ")
        throw TorchCheckpointError.notAStateDict(
            path: path,
            detail: "it holds \(found.count) state dicts (\(keys)) and fedtune cannot tell which one to read; "
                + "save the one you want alone"
        )
    }

    /// The dict's (name, tensor) pairs when every key is a string and every value a tensor.
    private static func tensors(
        of dict: PickleDict,
        in result: PickleResult
    ) -> [(name: String, tensor: TorchTensorReference)]? {
        var tensors: [(name: String, tensor: TorchTensorReference)] = []
        for (key, value) in zip(dict.keys, dict.values) {
            guard case .string(let name) = key, case .tensor(let tensor)? = result.object(value) else { return nil }
            tensors.append((name, tensor))
        }
        return tensors
    }

    private static func keyName(_ key: PickleValue) -> String {
        switch key {
        case .string(let text): text
        case .int(let number): String(number)
        default: key.kindName
        }
    }

    /// Builds the state dict, loading each storage once through `load` (which gets the
    /// storage and the first tensor that uses it, for error messages).
    static func assemble(
        _ entries: Entries,
        format: TorchCheckpointFormat,
        path: String,
        load: (TorchStorageReference, String) throws -> TorchStorageData
    ) throws -> TorchStateDict {
        var stateDict = TorchStateDict(format: format, nestedKey: entries.nestedKey)
        var loaded: [String: TorchStorageData] = [:]
        for (name, tensor) in entries.tensors {
            let key = tensor.storage.key
            let storage: TorchStorageData
            if let known = loaded[key] {
                storage = known
            } else {
                storage = try load(tensor.storage, name)
                loaded[key] = storage
            }
            stateDict.dtypes[name] = tensor.storage.dtype
            switch storage {
            case .floats(let floats):
                let elements = try self.elements(of: tensor, in: floats, name: name, path: path)
                stateDict.tensors[name] = Tensor(shape: tensor.shape, scalars: elements)
            case .integers(let integers):
                let elements = try self.elements(of: tensor, in: integers, name: name, path: path)
                stateDict.integers[name] = TorchIntegerTensor(shape: tensor.shape, values: elements)
            }
        }
        return stateDict
    }

    private static func elements<Element>(
        of tensor: TorchTensorReference,
        in storage: [Element],
        name: String,
        path: String
    ) throws -> [Element] {
        switch StridedView.elements(of: tensor, in: storage) {
        case .success(let elements): return elements
        case .failure(let error): throw TorchCheckpointError.badTensor(path: path, tensor: name, detail: error.detail)
        }
    }
}
