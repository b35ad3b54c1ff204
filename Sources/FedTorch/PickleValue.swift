/// A value on the unpickler's stack or in its memo. Scalars are held inline; containers and
/// torch objects live in the unpickler's object arena and are referred to by index, so
/// shared and self-referencing objects cost nothing extra and nothing is freed recursively.
enum PickleValue: Hashable, Sendable {
    case none
    case bool(Bool)
    case int(Int64)
    /// An integer wider than 64 bits, as its little-endian two's-complement bytes.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    /// Index into `PickleResult.objects`.
    case object(Int)

    /// What the value is, for error messages.
    var kindName: String {
        switch self {
        case .none: "None"
        case .bool: "a bool"
        case .int, .bigInt: "an int"
        case .float: "a float"
        case .string: "a string"
        case .bytes: "bytes"
        case .object: "an object"
        }
    }
}

/// A container or torch object built while unpickling.
enum PickleObject: Sendable {
    case tuple([PickleValue])
    case list([PickleValue])
    case dict(PickleDict)
    case set
    case global(TorchGlobal)
    case storage(TorchStorageReference)
    case tensor(TorchTensorReference)

    /// What the object is, for error messages.
    var kindName: String {
        switch self {
        case .tuple: "a tuple"
        case .list: "a list"
        case .dict: "a dict"
        case .set: "a set"
        case .global(let global): "the global \(global.qualifiedName)"
        case .storage: "a storage"
        case .tensor: "a tensor"
        }
    }
}

/// An insertion-ordered dict whose later assignments to a key replace the earlier value in
/// place, as Python's dict and OrderedDict do.
struct PickleDict: Sendable {
    private(set) var keys: [PickleValue] = []
    private(set) var values: [PickleValue] = []
    private var positions: [PickleValue: Int] = [:]

    var count: Int { self.keys.count }

    mutating func set(_ key: PickleValue, _ value: PickleValue) {
        if let position = self.positions[key] {
            self.values[position] = value
        } else {
            self.positions[key] = self.keys.count
            self.keys.append(key)
            self.values.append(value)
        }
    }
}

/// A storage named by a persistent id: `('storage', torch.FloatStorage, key, location, size)`,
/// in the legacy format followed by an optional view `(view_key, offset, view_size)`.
struct TorchStorageReference: Sendable, Equatable {
    /// The storage's name: its record in the zip archive, or its key in the legacy data section.
    var key: String
    var dtype: TorchDType
    /// Elements in the whole storage, as the persistent id states.
    var count: Int
    /// A legacy view into part of the storage: first element and element count.
    var view: (offset: Int, count: Int)?

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.key == rhs.key && lhs.dtype == rhs.dtype && lhs.count == rhs.count
            && lhs.view?.offset == rhs.view?.offset && lhs.view?.count == rhs.view?.count
    }
}

/// A tensor `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)` describes:
/// elements `offset + Σ index[d] · stride[d]` of its storage (in elements, after any view).
struct TorchTensorReference: Sendable, Equatable {
    var storage: TorchStorageReference
    var offset: Int
    var shape: [Int]
    var stride: [Int]
}
