import FedSupport
import Foundation
import ZIPFoundation

extension NumPyArray {
    /// The array as a .npy file (format 1.0), as `np.save` writes it: magic, version, a
    /// header dict padded with spaces to a multiple of 64 bytes, then the elements.
    package var npy: Data {
        let shape = self.shape.count == 1 ? "(\(self.shape[0]),)" : "(\(self.shape.map(String.init).joined(separator: ", ")))"
        var header = "{'descr': '\(self.dtype.descr)', 'fortran_order': False, 'shape': \(shape), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(contentsOf: self.bytes)
        return data
    }
}

extension NumPyArchive {
    /// Writes `arrays` as an uncompressed .npz (as `np.savez` does), members `<name>.npy` in
    /// the order given; the file appears whole or not at all.
    package static func write(_ arrays: [(name: String, array: NumPyArray)], to url: URL) throws {
        let contents: Data
        do {
            let archive = try Archive(accessMode: .create)
            for (name, array) in arrays {
                let data = array.npy
                try archive.addEntry(
                    with: "\(name).npy",
                    type: .file,
                    uncompressedSize: Int64(data.count),
                    compressionMethod: .none,
                    provider: { position, size in data.subdata(in: Int(position)..<(Int(position) + size)) }
                )
            }
            contents = archive.data ?? Data()
        } catch {
            throw ImageError.unreadable(path: url.path, reason: "could not build the .npz: \(error)")
        }
        try AtomicFile.write(contents, to: url)
    }
}

extension ImageSet {
    /// Writes the images as `images` (uint8 [N, H, W], or [N, H, W, 3] in colour) and the
    /// labels as `labels` (int64 [N]) of an .npz, in order.
    package func writeNPZ(to url: URL) throws {
        let shape = self.channels == 1 ? [self.count, self.height, self.width] : [self.count, self.height, self.width, self.channels]
        try NumPyArchive.write(
            [
                ("images", NumPyArray(shape: shape, uint8: self.pixels)),
                ("labels", NumPyArray(shape: [self.count], int64: self.labels)),
            ],
            to: url
        )
    }
}
