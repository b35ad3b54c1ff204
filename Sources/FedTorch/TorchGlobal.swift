/// The only globals a state-dict pickle may name. Resolving a global against this list is
/// all the unpickler does with it: nothing is imported or called, and any other name
/// (`posix.system`, `builtins.eval`, `subprocess.Popen`) is refused.
enum TorchGlobal: Sendable, Equatable {
    /// `collections.OrderedDict`: `state_dict()` returns one.
    case orderedDict
    /// `torch._utils._rebuild_tensor_v2` (PyTorch ≥ 0.4) and `_rebuild_tensor` (older).
    case rebuildTensor(version2: Bool)
    /// `torch._utils._rebuild_parameter`: an `nn.Parameter` saved directly; its data is the tensor.
    case rebuildParameter
    /// A storage class such as `torch.FloatStorage`, named in persistent ids.
    case storageType(TorchDType)
    /// A dtype such as `torch.float32`, which newer pickles may carry as metadata.
    case dtype(TorchDType)

    /// The global for `module.name`, or nil when it is not on the allow-list.
    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensor(version2: true)
        case ("torch._utils", "_rebuild_tensor"): self = .rebuildTensor(version2: false)
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch", _):
            if let dtype = TorchDType(storageClass: name) {
                self = .storageType(dtype)
            } else if let dtype = TorchDType(dtypeName: name) {
                self = .dtype(dtype)
            } else {
                return nil
            }
        default: return nil
        }
    }

    /// `module.name` as the pickle spells it.
    var qualifiedName: String {
        switch self {
        case .orderedDict: "collections.OrderedDict"
        case .rebuildTensor(let version2): version2 ? "torch._utils._rebuild_tensor_v2" : "torch._utils._rebuild_tensor"
        case .rebuildParameter: "torch._utils._rebuild_parameter"
        case .storageType(let dtype): "torch.\(Self.storageClassName(dtype))"
        case .dtype(let dtype): "torch.\(dtype.rawValue)"
        }
    }

    private static func storageClassName(_ dtype: TorchDType) -> String {
        switch dtype {
        case .float32: "FloatStorage"
        case .float16: "HalfStorage"
        case .bfloat16: "BFloat16Storage"
        case .float64: "DoubleStorage"
        case .int64: "LongStorage"
        case .int32: "IntStorage"
        case .int16: "ShortStorage"
        case .int8: "CharStorage"
        case .uint8: "ByteStorage"
        case .bool: "BoolStorage"
        }
    }
}
