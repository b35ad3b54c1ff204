import Foundation
import ZIPFoundation

/// Writes 8-bit grey or RGB images as PNG files, for example images in reports and for test
/// fixtures. Each row takes the filter whose output has the smallest sum of absolute
/// (signed) differences, libpng's heuristic, and the rows are deflated through ZIPFoundation.
package enum PNGEncoder {
    /// The PNG bytes of `image` (1 or 3 channels).
    package static func encode(_ image: DecodedImage) -> Data {
        precondition(
            image.channels == 1 || image.channels == 3,
            "PNGEncoder writes grey or RGB, not \(image.channels) channels"
        )
        let stride = image.width * image.channels
        var raw: [UInt8] = []
        raw.reserveCapacity(image.height * (stride + 1))
        for row in 0..<image.height {
            let current = image.pixels[(row * stride)..<((row + 1) * stride)]
            let previous = row > 0 ? image.pixels[((row - 1) * stride)..<(row * stride)] : nil
            var best: (type: UInt8, bytes: [UInt8], cost: Int)?
            for type: UInt8 in 0...4 {
                let filtered = PNGFilter.filter(type, row: current, previous: previous, bytesPerPixel: image.channels)
                let cost = filtered.reduce(0) { $0 + abs(Int(Int8(bitPattern: $1))) }
                if best == nil || cost < best!.cost { best = (type, filtered, cost) }
            }
            raw.append(best!.type)
            raw += best!.bytes
        }
        var header: [UInt8] = []
        header += self.bigEndian(image.width) + self.bigEndian(image.height)
        header += [8, image.channels == 1 ? 0 : 2, 0, 0, 0]
        var out = Data(PNGDecoder.signature)
        self.append(chunk: "IHDR", header, to: &out)
        self.append(chunk: "IDAT", Zlib.deflate(raw), to: &out)
        self.append(chunk: "IEND", [], to: &out)
        return out
    }

    /// Writes `image` as a PNG file at `url`.
    package static func write(_ image: DecodedImage, to url: URL) throws {
        do {
            try self.encode(image).write(to: url, options: .atomic)
        } catch {
            throw ImageError.unwritable(path: url.path, reason: error.localizedDescription)
        }
    }

    private static func append(chunk type: String, _ body: [UInt8], to out: inout Data) {
        let typed = Data(Array(type.utf8) + body)
        out.append(contentsOf: self.bigEndian(body.count))
        out.append(typed)
        out.append(contentsOf: self.bigEndian(Int(typed.crc32(checksum: 0))))
    }

    private static func bigEndian(_ value: Int) -> [UInt8] {
        [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
    }
}
