import FedTensor
import FedTorch
import Foundation
import OrderedCollections

/// `fedtune models convert`: the floating-point tensors of a PyTorch checkpoint (`.pth`,
/// `.bin`) written to a safetensors file in their own precision (float64 as float32).
/// Integer tensors are left out — fedtune's safetensors files hold weights only — and listed.
package enum CheckpointConversion {
    /// What a conversion wrote and what it left out.
    package struct Summary: Sendable, Equatable {
        package var output: URL
        package var written: Int
        package var bytes: Int
        /// Integer tensors that were not written: name, stored type, shape.
        package var leftOut: [LeftOut]
        /// float64 tensors, written as float32.
        package var narrowed: [String]
        /// The outer key the state dict was found under, if it was nested.
        package var nestedKey: String?

        /// The lines `fedtune models convert` prints.
        package var lines: [String] {
            var lines = ["wrote \(self.written) tensors (\(self.bytes) bytes) to \(self.output.path)"]
            if let key = self.nestedKey {
                lines.append("read the state dict under key '\(key)' of the checkpoint")
            }
            if !self.narrowed.isEmpty {
                lines.append(
                    "stored \(self.narrowed.count) float64 tensors as float32: \(self.narrowed.joined(separator: ", "))"
                )
            }
            if !self.leftOut.isEmpty {
                let counters = self.leftOut.allSatisfy { $0.name.hasSuffix("num_batches_tracked") }
                let why =
                    counters
                    ? "BatchNorm's batch counters, which evaluation and fine-tuning do not use"
                    : "integer tensors; fedtune's weights are floating-point"
                lines.append("left out \(self.leftOut.count) integer tensors (\(why)):")
                lines += self.leftOut.map { "  \($0.name)  \($0.dtype)  \($0.shape)" }
            }
            return lines
        }
    }

    /// One tensor not written.
    package struct LeftOut: Sendable, Equatable {
        package var name: String
        package var dtype: String
        package var shape: [Int]
    }

    /// Reads `input`, writes `output` atomically (refusing a file that exists), and says what it did.
    package static func run(input: URL, output: URL) throws -> Summary {
        if FileManager.default.fileExists(atPath: output.path) {
            throw CheckpointConversionError.outputExists(path: output.path)
        }
        let stateDict = try TorchCheckpoint.read(contentsOf: input)
        guard !stateDict.tensors.isEmpty else {
            throw CheckpointConversionError.noFloatTensors(path: input.path, integers: stateDict.integers.count)
        }
        var file = Safetensors(tensors: stateDict.tensors, metadata: ["format": "pt"])
        var narrowed: [String] = []
        for (name, dtype) in stateDict.dtypes where dtype.isFloatingPoint {
            switch dtype {
            case .float16: file.storedTypes[name] = .f16
            case .bfloat16: file.storedTypes[name] = .bf16
            case .float64:
                file.storedTypes[name] = .f32
                narrowed.append(name)
            default: file.storedTypes[name] = .f32
            }
        }
        // Checked again just before writing: the read may take a while.
        if FileManager.default.fileExists(atPath: output.path) {
            throw CheckpointConversionError.outputExists(path: output.path)
        }
        try file.write(to: output)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int) ?? 0
        return Summary(
            output: output,
            written: stateDict.tensors.count,
            bytes: bytes,
            leftOut: stateDict.integers.map { name, tensor in
                LeftOut(name: name, dtype: stateDict.dtypes[name]?.rawValue ?? "int", shape: tensor.shape)
            },
            narrowed: narrowed,
            nestedKey: stateDict.nestedKey
        )
    }
}

/// Why `fedtune models convert` did not write its output.
package enum CheckpointConversionError: Error, Equatable, CustomStringConvertible {
    case outputExists(path: String)
    case noFloatTensors(path: String, integers: Int)

    package var description: String {
        switch self {
        case .outputExists(let path):
            "\(path) already exists; convert does not overwrite files ---> HINT: remove it or choose another --out"
        case .noFloatTensors(let path, let integers):
            "\(path): the state dict has no floating-point tensors (\(integers) integer ones), so there is nothing "
                + "to convert"
        }
    }
}
