/// Why a PyTorch checkpoint could not be read; every case names the file and, where one is
/// at fault, the byte offset, storage or tensor, and says what to do when the fix is known.
package enum TorchCheckpointError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notACheckpoint(path: String, detail: String)
    case truncated(path: String, detail: String)
    case malformedPickle(path: String, offset: Int, detail: String)
    case unsupportedOpcode(path: String, offset: Int, opcode: UInt8, name: String)
    case refusedGlobal(path: String, offset: Int, global: String)
    case limitExceeded(path: String, offset: Int, what: String, limit: Int)
    case notAStateDict(path: String, detail: String)
    case corruptedStorage(path: String, storage: String, detail: String)
    case badTensor(path: String, tensor: String, detail: String)
    case unsupportedLayout(path: String, detail: String)

    package var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): cannot read PyTorch checkpoint: \(reason)"
        case .notACheckpoint(let path, let detail):
            return "\(path): not a PyTorch checkpoint: \(detail) ---> HINT: fedtune reads files written by "
                + "torch.save(model.state_dict(), path), in the zip format (PyTorch 1.6+) or the legacy one"
        case .truncated(let path, let detail):
            return "\(path): checkpoint is truncated: \(detail) ---> HINT: download or copy the file again"
        case .malformedPickle(let path, let offset, let detail):
            return "\(path): malformed pickle at byte \(offset): \(detail)"
        case .unsupportedOpcode(let path, let offset, let opcode, let name):
            let code = "0x" + String(opcode, radix: 16)
            return "\(path): pickle opcode \(name) (\(code)) at byte \(offset) is not used by torch.save state "
                + "dicts and is not supported ---> HINT: re-save with torch.save(model.state_dict(), path)"
        case .refusedGlobal(let path, let offset, let global):
            return "\(path): refused to load global '\(global)' (pickle byte \(offset)): a state dict only needs "
                + "collections.OrderedDict, torch tensor rebuilds and storage types, and fedtune never runs "
                + "other code from a checkpoint ---> HINT: do not trust this file; if it is yours, re-save just "
                + "the weights with torch.save(model.state_dict(), path)"
        case .limitExceeded(let path, let offset, let what, let limit):
            return "\(path): pickle at byte \(offset) exceeds the limit of \(limit) \(what); a state dict "
                + "never needs that many, so the file is refused"
        case .notAStateDict(let path, let detail):
            return "\(path): not a state dict: \(detail) ---> HINT: save the weights alone with "
                + "torch.save(model.state_dict(), path)"
        case .corruptedStorage(let path, let storage, let detail):
            return "\(path): storage '\(storage)' is corrupted: \(detail) ---> HINT: download or copy the file again"
        case .badTensor(let path, let tensor, let detail):
            return "\(path): tensor '\(tensor)': \(detail)"
        case .unsupportedLayout(let path, let detail):
            return "\(path): \(detail)"
        }
    }
}
