import Foundation
import ZIPFoundation

/// The `torch.save` layout since PyTorch 1.6: a zip archive whose single top folder (named
/// after the file when it was saved, so it varies) holds `data.pkl`, whose persistent ids
/// name storages stored as `data/KEY`, each the storage's raw little-endian bytes.
enum ZipCheckpoint {
    /// `data.pkl` larger than this is refused before it is read; a state dict's pickle holds
    /// only names and shapes, a few hundred bytes per tensor.
    static let maximumPickleBytes: UInt64 = 512 << 20
    /// Deflate cannot expand data more than about 1032-fold, so a record claiming more is corrupt.
    static let maximumDeflateRatio: UInt64 = 1032

    static func read(_ url: URL) throws -> TorchStateDict {
        let path = url.path
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int).map(UInt64.init) ?? 0
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw TorchCheckpointError.truncated(
                path: path,
                detail: "it starts as a zip archive but its central directory cannot be read (\(error))"
            )
        }
        let pickles = archive.filter { entry in
            entry.type == .file && entry.path.hasSuffix("/data.pkl")
                && entry.path.split(separator: "/", omittingEmptySubsequences: false).count == 2
        }
        guard pickles.count == 1, let pickleEntry = pickles.first else {
            throw TorchCheckpointError.notACheckpoint(
                path: path,
                detail: pickles.isEmpty
                    ? "it is a zip archive without FOLDER/data.pkl"
                    : "it is a zip archive with \(pickles.count) FOLDER/data.pkl records"
            )
        }
        let folder = String(pickleEntry.path.dropLast("data.pkl".count))
        if let order = archive[folder + "byteorder"] {
            let text = String(
                decoding: try self.contents(of: order, in: archive, path: path, limit: 16, fileSize: fileSize),
                as: UTF8.self
            )
            guard text.trimmingCharacters(in: .whitespacesAndNewlines) == "little" else {
                throw TorchCheckpointError.unsupportedLayout(
                    path: path,
                    detail: "the checkpoint's byte order is '\(text)'; fedtune reads little-endian ones"
                )
            }
        }
        let pickleBytes = try self.contents(
            of: pickleEntry,
            in: archive,
            path: path,
            limit: self.maximumPickleBytes,
            fileSize: fileSize
        )
        let pickleName = "\(path) (\(pickleEntry.path))"
        let main = try pickleBytes.withUnsafeBytes { raw in
            try Unpickler.load(raw, path: pickleName, context: pickleEntry.path)
        }
        let entries = try StateDictLayout.entries(in: main, path: path)
        return try StateDictLayout.assemble(entries, format: .zip, path: path) { storage, tensor in
            let record = folder + "data/" + storage.key
            guard let entry = archive[record] else {
                throw TorchCheckpointError.corruptedStorage(
                    path: path,
                    storage: storage.key,
                    detail: "tensor '\(tensor)' uses it but the archive has no record \(record)"
                )
            }
            let (expected, overflow) = storage.count.multipliedReportingOverflow(by: storage.dtype.byteWidth)
            guard !overflow, entry.uncompressedSize == UInt64(expected) else {
                throw TorchCheckpointError.corruptedStorage(
                    path: path,
                    storage: storage.key,
                    detail: "record \(record) holds \(entry.uncompressedSize) bytes, but tensor '\(tensor)' says it "
                        + "has \(storage.count) \(storage.dtype.rawValue) elements (\(storage.count) × "
                        + "\(storage.dtype.byteWidth) bytes)"
                )
            }
            let bytes = try self.contents(
                of: entry,
                in: archive,
                path: path,
                limit: UInt64(expected),
                fileSize: fileSize
            )
            return bytes.withUnsafeBytes { raw in
                TorchStorageData.decode(raw, dtype: storage.dtype, count: storage.count)
            }
        }
    }

    /// A record's bytes, CRC-checked. A record larger than `limit`, or than its stored bytes
    /// (at most the file) can hold — deflate expands at most 1032-fold — is refused before
    /// anything is allocated, so a forged directory cannot ask for terabytes.
    private static func contents(
        of entry: Entry,
        in archive: Archive,
        path: String,
        limit: UInt64,
        fileSize: UInt64
    ) throws -> [UInt8] {
        let size = entry.uncompressedSize
        let stored = entry.compressedSize
        let capacity =
            entry.isCompressed
            ? stored.multipliedReportingOverflow(by: self.maximumDeflateRatio)
            : (partialValue: stored, overflow: false)
        guard size <= limit, stored <= fileSize, !capacity.overflow, size <= capacity.partialValue else {
            throw TorchCheckpointError.corruptedStorage(
                path: path,
                storage: entry.path,
                detail: "the record claims \(size) bytes (\(entry.compressedSize) stored), more than it can hold"
            )
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(size))
        do {
            _ = try archive.extract(entry, bufferSize: 1 << 20) { chunk in
                guard UInt64(bytes.count + chunk.count) <= size else {
                    throw TorchCheckpointError.corruptedStorage(
                        path: path,
                        storage: entry.path,
                        detail: "the record holds more bytes than its header says"
                    )
                }
                bytes.append(contentsOf: chunk)
            }
        } catch let error as TorchCheckpointError {
            throw error
        } catch {
            throw TorchCheckpointError.corruptedStorage(
                path: path,
                storage: entry.path,
                detail: "the record cannot be read back intact (\(error))"
            )
        }
        guard UInt64(bytes.count) == size else {
            throw TorchCheckpointError.truncated(
                path: path,
                detail: "record \(entry.path) holds \(bytes.count) of its \(size) bytes"
            )
        }
        return bytes
    }
}
