import FedLearning
import FedTensor
import FedTorch
import Foundation
import OrderedCollections

/// `fedtune inspect`: lists the tensors of a safetensors file from its header alone,
/// so even files larger than memory, or with dtypes fedtune does not compute in, list.
/// A PyTorch checkpoint (`.pth`, `.bin`, recognised by its first bytes) is read whole
/// and listed the same way, with its stored types in safetensors' names (F32, I64).
package enum TensorInspection {
    /// One tensor's row in the listing.
    package struct Row: Sendable, Codable, Equatable {
        package var name: String
        package var dtype: String
        package var shape: [Int]
        package var bytes: Int
        /// From `model.json` beside the file; nil when there is none.
        package var trainable: Bool?
    }

    package static func run(_ file: URL) throws -> [Row] {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: file.path, isDirectory: &isFolder), isFolder.boolValue {
            throw SafetensorsError.unreadable(
                path: file.path,
                reason:
                    "this is a folder; inspect wants a .safetensors file, e.g. \(file.appendingPathComponent("model.safetensors").path)"
            )
        }
        if TorchCheckpoint.isCheckpoint(file) {
            return try self.checkpointRows(file)
        }
        let header = try SafetensorsHeader.read(contentsOf: file)
        let architecture = try? ModelFolder.readArchitecture(file.deletingLastPathComponent())
        let frozen = Set(architecture?.frozen ?? [])
        return header.entries.map { entry in
            Row(
                name: entry.name,
                dtype: entry.dtypeName,
                shape: entry.shape,
                bytes: entry.byteCount,
                trainable: architecture.map { _ in !frozen.contains(entry.name) }
            )
        }
    }

    /// Every entry of a PyTorch state dict, integer tensors included, in the checkpoint's order.
    private static func checkpointRows(_ file: URL) throws -> [Row] {
        let stateDict = try TorchCheckpoint.read(contentsOf: file)
        return stateDict.dtypes.map { name, dtype in
            let shape = stateDict.shape(of: name) ?? []
            return Row(
                name: name,
                dtype: dtype.safetensorsName,
                shape: shape,
                bytes: shape.reduce(1, *) * dtype.byteWidth,
                trainable: nil
            )
        }
    }

    /// The rows as an aligned text table with a total line.
    package static func table(_ rows: [Row]) -> String {
        let header = ["name", "dtype", "shape", "bytes", "trainable"]
        var cells = rows.map { row in
            [
                row.name, row.dtype, "[" + row.shape.map(String.init).joined(separator: ", ") + "]", String(row.bytes),
                row.trainable.map { $0 ? "yes" : "no" } ?? "-",
            ]
        }
        let total = rows.reduce(0) { $0 + $1.bytes }
        cells.append(["total: \(rows.count) tensors", "", "", String(total), ""])
        let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
        func line(_ values: [String]) -> String {
            values.enumerated().map { column, value in
                let pad = String(repeating: " ", count: widths[column] - value.count)
                return column == 3 ? pad + value : value + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + cells.map(line)).joined(separator: "\n")
    }
}
