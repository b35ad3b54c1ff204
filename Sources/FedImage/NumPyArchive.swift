import Foundation
import ZIPFoundation

/// NumPy's .npz files: a zip archive of .npy members, stored (`np.savez`) or deflated
/// (`np.savez_compressed`). Members are read straight from the archive into memory, never
/// extracted to disk, and each member's CRC-32 is checked.
package enum NumPyArchive {
    /// Every array of the .npz at `url`, keyed by member name without `.npy`
    /// (`train_images.npy` → `train_images`), as `np.load` names them.
    package static func read(contentsOf url: URL) throws -> [String: NumPyArray] {
        try self.read(contentsOf: url, only: nil)
    }

    /// The arrays of the .npz at `url` whose names are in `names` (all when nil); the others
    /// are not decompressed.
    package static func read(contentsOf url: URL, only names: Set<String>?) throws -> [String: NumPyArray] {
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw ImageError.unreadable(path: url.path, reason: "no such file, or it is not readable")
        }
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw ImageError.unreadable(path: url.path, reason: "not a NumPy .npz (zip) archive")
        }
        return try self.arrays(in: archive, only: names, file: url.path)
    }

    /// Every array of an .npz held in memory; `file` names it in errors.
    package static func read(_ data: Data, file: String) throws -> [String: NumPyArray] {
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw ImageError.unreadable(path: file, reason: "not a NumPy .npz (zip) archive")
        }
        return try self.arrays(in: archive, only: nil, file: file)
    }

    private static func arrays(
        in archive: Archive,
        only names: Set<String>?,
        file: String
    ) throws -> [String: NumPyArray] {
        var arrays: [String: NumPyArray] = [:]
        for entry in archive where entry.type == .file && entry.path.hasSuffix(".npy") {
            let name = String(entry.path.dropLast(4))
            if let names, !names.contains(name) { continue }
            var data = Data()
            data.reserveCapacity(Int(clamping: min(entry.uncompressedSize, 1 << 32)))
            let crc: CRC32
            do {
                crc = try archive.extract(entry, bufferSize: 1 << 20) { data.append($0) }
            } catch {
                throw ImageError.badArray(
                    file: file,
                    array: name,
                    reason: "the member cannot be read from the archive (\(error)); the file is damaged"
                )
            }
            guard crc == entry.checksum else {
                throw ImageError.badArray(
                    file: file,
                    array: name,
                    reason: "the member's CRC-32 does not match the archive's record; the file is damaged"
                )
            }
            arrays[name] = try NumPyArray(npy: data, file: file, name: name)
        }
        return arrays
    }

    /// Writes `arrays` as an .npz at `url` (replacing any file there), each as a format 1.0
    /// .npy member, deflated when `compressed` as `np.savez_compressed` does.
    package static func write(_ arrays: [String: NumPyArray], to url: URL, compressed: Bool = false) throws {
        try? FileManager.default.removeItem(at: url)
        do {
            let archive = try Archive(url: url, accessMode: .create)
            for (name, array) in arrays.sorted(by: { $0.key < $1.key }) {
                let data = array.npyData
                try archive.addEntry(
                    with: "\(name).npy",
                    type: .file,
                    uncompressedSize: Int64(data.count),
                    compressionMethod: compressed ? .deflate : .none,
                    provider: { position, size in
                        data.subdata(in: Int(position)..<(Int(position) + size))
                    }
                )
            }
        } catch {
            throw ImageError.unwritable(path: url.path, reason: "\(error)")
        }
    }
}
