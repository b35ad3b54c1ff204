import FedTensor
import FedTorch
import Foundation

/// The checkpoint fixtures scripts/fixtures/make_torch_fixtures.py writes (committed in
/// Fixtures/ beside this file) and the values it puts in them.
enum TorchFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func url(_ name: String) -> URL {
        self.folder.appendingPathComponent(name)
    }

    /// The fixture state dict's float tensors, in its order: name, shape, values.
    static let floats: [(name: String, shape: [Int], values: [Float])] = [
        ("conv.weight", [2, 3, 2, 2], (0..<24).map { Float($0) * 0.25 - 3 }),
        ("bn.weight", [3], [1, 2, 3]),
        ("bn.running_var", [3], [0.5, 0.25, 4]),
        ("half.weight", [2, 2], [0.5, -1.25, 3, 65504]),
        ("bf16.weight", [3], [1, -2.5, 0.15625]),
        ("double.weight", [2], [Float(0.1 as Double), Float(-1e-3 as Double)]),
        // Elements 4...6 of a 10-element storage arange(10).
        ("view.offset", [3], [4, 5, 6]),
        // Stride (1, 3) over arange(6) · 1.5: the transpose of [[0, 1.5, 3], [4.5, 6, 7.5]].
        ("view.transposed", [3, 2], [0, 4.5, 1.5, 6, 3, 7.5]),
    ]

    /// The fixture state dict's integer tensors: name, shape, values.
    static let integers: [(name: String, shape: [Int], values: [Int64])] = [
        ("bn.num_batches_tracked", [], [7]),
        ("index.buffer", [3], [-1, 0, 5]),
    ]

    /// Every entry in file order with its stored type.
    static let dtypes: [(String, String)] = [
        ("conv.weight", "float32"), ("bn.weight", "float32"), ("bn.running_var", "float32"),
        ("bn.num_batches_tracked", "int64"), ("half.weight", "float16"), ("bf16.weight", "bfloat16"),
        ("double.weight", "float64"), ("index.buffer", "int32"), ("view.offset", "float32"),
        ("view.transposed", "float32"),
    ]
}

/// Lookups through `Sequence` only: this test target does not import OrderedCollections.
extension TorchStateDict {
    var floatNames: [String] { self.tensors.map(\.key) }
    var integerNames: [String] { self.integers.map(\.key) }
    /// (name, stored type) of every entry, in file order.
    var entryTypes: [(String, String)] { self.dtypes.map { ($0.key, $0.value.rawValue) } }

    func float(_ name: String) -> Tensor? {
        self.tensors.first { $0.key == name }?.value
    }

    func integer(_ name: String) -> TorchIntegerTensor? {
        self.integers.first { $0.key == name }?.value
    }
}
