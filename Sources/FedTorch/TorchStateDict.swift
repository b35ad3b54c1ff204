import FedTensor
import OrderedCollections

/// The tensors of a PyTorch state dict, read from a `.pth` / `.bin` checkpoint.
///
/// Floating-point tensors (float32, float16, bfloat16, float64) become Float `Tensor`s;
/// integer tensors (BatchNorm's `num_batches_tracked`, index buffers) are kept apart with
/// their Int64 values, since fedtune computes in Float and they are not weights.
package struct TorchStateDict: Sendable, Equatable {
    /// Floating-point tensors by name, in the checkpoint's order.
    package var tensors: OrderedDictionary<String, Tensor>
    /// Integer and boolean tensors by name, in the checkpoint's order.
    package var integers: OrderedDictionary<String, TorchIntegerTensor>
    /// Every entry's type as stored in the file, in the checkpoint's order (both kinds).
    package var dtypes: OrderedDictionary<String, TorchDType>
    /// Which of the two `torch.save` layouts the file uses.
    package var format: TorchCheckpointFormat
    /// The key of the outer dict the state dict was found under (`state_dict`, `model`),
    /// or nil when the file's top-level object is the state dict itself.
    package var nestedKey: String?

    package init(
        tensors: OrderedDictionary<String, Tensor> = [:],
        integers: OrderedDictionary<String, TorchIntegerTensor> = [:],
        dtypes: OrderedDictionary<String, TorchDType> = [:],
        format: TorchCheckpointFormat,
        nestedKey: String? = nil
    ) {
        self.tensors = tensors
        self.integers = integers
        self.dtypes = dtypes
        self.format = format
        self.nestedKey = nestedKey
    }

    /// An entry's shape, whichever kind it is.
    package func shape(of name: String) -> [Int]? {
        self.tensors[name]?.shape ?? self.integers[name]?.shape
    }
}

/// An integer tensor of a checkpoint: its shape and its values widened to Int64, row-major.
package struct TorchIntegerTensor: Sendable, Equatable {
    package var shape: [Int]
    package var values: [Int64]

    package init(shape: [Int], values: [Int64]) {
        self.shape = shape
        self.values = values
    }
}

/// The two file layouts `torch.save` writes.
package enum TorchCheckpointFormat: String, Sendable, Equatable {
    /// PyTorch before 1.6 (or `_use_new_zipfile_serialization=False`): five pickles in a
    /// row, then every storage as a little-endian element count and raw elements.
    case legacy
    /// PyTorch 1.6 and later: a zip archive with `data.pkl` and one file per storage.
    case zip
}
