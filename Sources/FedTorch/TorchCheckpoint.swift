import Foundation

/// Reads PyTorch checkpoints (`.pth`, `.pt`, `.bin` written by `torch.save`) without Python.
///
/// The file's first bytes decide the layout: a zip archive (PyTorch 1.6+) or the legacy
/// sequence of pickles. Either way only a state dict is accepted — a dict of tensors, or a
/// dict holding exactly one such dict — and the restricted `Unpickler` never runs code.
package enum TorchCheckpoint {
    /// Every tensor of the checkpoint at `url`.
    package static func read(contentsOf url: URL) throws -> TorchStateDict {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw TorchCheckpointError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        switch self.layout(of: data) {
        case .zip:
            return try ZipCheckpoint.read(url)
        case .legacy:
            return try data.withUnsafeBytes { raw in try LegacyCheckpoint.read(raw, path: url.path) }
        case nil:
            throw self.unrecognised(data, path: url.path)
        }
    }

    /// Whether the file looks like a PyTorch checkpoint (by its first bytes, not its name).
    package static func isCheckpoint(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 9)) ?? Data()
        return self.layout(of: head) != nil
    }

    /// The layout the first bytes announce: `PK` for zip, a pickle PROTO opcode for legacy.
    /// A safetensors file starts with its header's length and then `{` at byte 8; a header of
    /// 640 bytes would begin `80 02`, like a pickle, so that `{` rules the file out.
    static func layout(of data: Data) -> TorchCheckpointFormat? {
        let head = [UInt8](data.prefix(9))
        if head.count == 9 && head[8] == UInt8(ascii: "{") { return nil }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .zip }
        if head.count >= 2, head[0] == 0x80, (2...5).contains(head[1]) { return .legacy }
        return nil
    }

    private static func unrecognised(_ data: Data, path: String) -> TorchCheckpointError {
        if data.isEmpty { return .truncated(path: path, detail: "the file is empty") }
        if data.count > 262, data[data.startIndex + 257..<data.startIndex + 262].elementsEqual("ustar".utf8) {
            return .unsupportedLayout(
                path: path,
                detail: "this is a tar-format checkpoint from PyTorch 0.3 or older, which fedtune does not read "
                    + "---> HINT: load it with an old torch and save it again with a current one"
            )
        }
        let head = data.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
        return .notACheckpoint(path: path, detail: "it starts with bytes \(head), neither a zip archive nor a pickle")
    }
}
