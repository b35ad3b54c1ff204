/// The names a compressed update's safetensors file uses, shared by the site's encoder,
/// the coordinator's decoder and any other reader (Python's `safetensors` reads them all).
///
/// Every file records its codec under `__metadata__` key `fedtune.compression`; a file
/// without it is a dense update as sites wrote before compression existed.
/// - `none`: tensor `<name>` F32 [shape].
/// - `fp16` / `bf16`: tensor `<name>` F16 / BF16 [shape].
/// - `int8`: tensor `<name>` I8 [shape] of codes in −127…127 and `<name>.__scale__` F32 [];
///   value = code · scale.
/// - `topk`: tensors `<name>.__indices__` I32 [k] (flat row-major positions, strictly
///   increasing) and `<name>.__values__` F32 [k]; metadata `<name>.__shape__` holds the dense
///   shape as a JSON list (e.g. "[384,30522]"), and `fedtune.topk_fraction` the fraction asked for.
package enum CompressedUpdateFormat {
    /// `__metadata__` key naming the codec (`UpdateCompression.name`).
    package static let codecKey = "fedtune.compression"
    /// `__metadata__` key holding top-k's fraction, for readers' information.
    package static let topKFractionKey = "fedtune.topk_fraction"
    /// int8: the per-tensor scale.
    package static func scaleName(_ tensor: String) -> String { tensor + ".__scale__" }
    /// topk: the kept positions.
    package static func indicesName(_ tensor: String) -> String { tensor + ".__indices__" }
    /// topk: the kept values.
    package static func valuesName(_ tensor: String) -> String { tensor + ".__values__" }
    /// topk: the `__metadata__` key of the dense shape.
    package static func shapeKey(_ tensor: String) -> String { tensor + ".__shape__" }

    /// A shape as the JSON list the metadata carries: "[3,4]", "[]" for a scalar.
    package static func shapeText(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ",") + "]"
    }
}
