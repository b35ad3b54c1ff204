import Foundation
import ZIPFoundation

/// One decoded image: 8-bit pixels, row-major, channels interleaved ([height, width, channels]).
package struct DecodedImage: Sendable, Equatable {
    package var width: Int
    package var height: Int
    /// 1 (grey) or 3 (RGB).
    package var channels: Int
    package var pixels: [UInt8]

    package init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels, "pixels do not fill \(width)×\(height)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    package var size: ImageSize { ImageSize(height: self.height, width: self.width, channels: self.channels) }
}

/// Decodes PNG files (ISO/IEC 15948): non-interlaced, 8 bits per sample, grey, grey+alpha,
/// RGB, RGBA or palette. Alpha is dropped (grey+alpha gives grey, RGBA and palette give RGB);
/// all five row filters are undone; every chunk's CRC-32 and the zlib Adler-32 are checked.
/// Anything else (16-bit or 1/2/4-bit samples, interlacing) is refused with its reason.
package enum PNGDecoder {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Largest width or height accepted, so a crafted header cannot ask for gigabytes.
    static let maximumSide = 16_384

    /// Reads and decodes the PNG at `url`.
    package static func decode(contentsOf url: URL) throws -> DecodedImage {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImageError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try self.decode(data, path: url.path)
    }

    /// Decodes PNG bytes; `path` names the file in errors.
    package static func decode(_ data: Data, path: String) throws -> DecodedImage {
        let bytes = [UInt8](data)
        func corrupt(_ reason: String) -> ImageError { .corruptPNG(path: path, reason: reason) }
        guard bytes.count >= 8, bytes.prefix(8).elementsEqual(self.signature) else {
            throw corrupt("it does not start with the PNG signature")
        }
        var header: PNGHeader?
        var palette: [UInt8] = []
        var compressed: [UInt8] = []
        var offset = 8
        var ended = false
        while !ended {
            guard offset + 12 <= bytes.count else { throw corrupt("it ends before its IEND chunk (truncated)") }
            let length = Int(bigEndian: bytes, at: offset)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            guard length <= bytes.count - offset - 12 else {
                throw corrupt("chunk \(type) runs past the end of the file")
            }
            let body = offset + 8..<(offset + 8 + length)
            let stored = UInt32(Int(bigEndian: bytes, at: body.upperBound))
            let crc = Data(bytes[(offset + 4)..<body.upperBound]).crc32(checksum: 0)
            guard crc == stored else { throw corrupt("chunk \(type) fails its CRC-32 check") }
            switch type {
            case "IHDR":
                guard header == nil, length == 13 else { throw corrupt("the IHDR chunk is malformed") }
                header = try PNGHeader(bytes[body], path: path)
            case "PLTE":
                guard length % 3 == 0, length > 0, length <= 768 else { throw corrupt("the palette is malformed") }
                palette = Array(bytes[body])
            case "IDAT":
                compressed += bytes[body]
            case "IEND":
                ended = true
            default:
                // Bit 5 of the first letter (lower case) marks an ancillary chunk, safe to skip.
                guard bytes[offset + 4] & 0x20 != 0 else {
                    throw ImageError.unsupportedPNG(
                        path: path,
                        reason: "it has a critical chunk '\(type)' fedtune does not know"
                    )
                }
            }
            guard header != nil else { throw corrupt("the first chunk is \(type), not IHDR") }
            offset = body.upperBound + 4
        }
        guard let header else { throw corrupt("it has no IHDR chunk") }
        guard !compressed.isEmpty else { throw corrupt("it has no image data (IDAT)") }
        let stride = header.width * header.samples
        let raw: [UInt8]
        do {
            raw = try Zlib.inflate(compressed, expectedSize: header.height * (stride + 1))
        } catch {
            throw corrupt(error.reason)
        }
        let samples = try PNGFilter.unfilter(raw, rows: header.height, stride: stride, bytesPerPixel: header.samples) {
            corrupt("row \($0) has filter type \($1); only 0 to 4 exist")
        }
        return try header.image(from: samples, palette: palette, path: path)
    }
}

/// The IHDR chunk of an 8-bit, non-interlaced PNG.
struct PNGHeader {
    var width: Int
    var height: Int
    /// PNG colour type: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA.
    var colorType: UInt8
    /// Samples per pixel in the file (with alpha).
    var samples: Int

    init(_ body: ArraySlice<UInt8>, path: String) throws {
        let bytes = Array(body)
        self.width = Int(bigEndian: bytes, at: 0)
        self.height = Int(bigEndian: bytes, at: 4)
        let (depth, colorType, compression, filter, interlace) = (bytes[8], bytes[9], bytes[10], bytes[11], bytes[12])
        func unsupported(_ reason: String) -> ImageError { .unsupportedPNG(path: path, reason: reason) }
        guard (1...PNGDecoder.maximumSide).contains(self.width), (1...PNGDecoder.maximumSide).contains(self.height)
        else {
            throw unsupported(
                "its size \(self.width)×\(self.height) is outside 1...\(PNGDecoder.maximumSide) pixels a side"
            )
        }
        guard compression == 0, filter == 0 else {
            throw ImageError.corruptPNG(path: path, reason: "IHDR names an unknown compression or filter method")
        }
        let samplesByType: [UInt8: Int] = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4]
        guard let samples = samplesByType[colorType] else {
            throw ImageError.corruptPNG(
                path: path,
                reason: "IHDR names colour type \(colorType), which PNG does not define"
            )
        }
        guard depth == 8 else {
            throw unsupported("it has \(depth)-bit samples; only 8-bit PNGs are read")
        }
        guard interlace == 0 else { throw unsupported("it is interlaced (Adam7)") }
        self.colorType = colorType
        self.samples = samples
    }

    /// The decoded image from unfiltered samples: alpha dropped, palette indices looked up.
    func image(from samples: [UInt8], palette: [UInt8], path: String) throws -> DecodedImage {
        let pixels = self.width * self.height
        switch self.colorType {
        case 0:
            return DecodedImage(width: self.width, height: self.height, channels: 1, pixels: samples)
        case 2:
            return DecodedImage(width: self.width, height: self.height, channels: 3, pixels: samples)
        case 4:
            let grey = (0..<pixels).map { samples[2 * $0] }
            return DecodedImage(width: self.width, height: self.height, channels: 1, pixels: grey)
        case 6:
            var rgb = [UInt8](repeating: 0, count: pixels * 3)
            for p in 0..<pixels {
                rgb[3 * p] = samples[4 * p]
                rgb[3 * p + 1] = samples[4 * p + 1]
                rgb[3 * p + 2] = samples[4 * p + 2]
            }
            return DecodedImage(width: self.width, height: self.height, channels: 3, pixels: rgb)
        default:
            guard !palette.isEmpty else {
                throw ImageError.corruptPNG(path: path, reason: "it is a palette image without a PLTE chunk")
            }
            var rgb = [UInt8](repeating: 0, count: pixels * 3)
            for p in 0..<pixels {
                let entry = Int(samples[p]) * 3
                guard entry + 2 < palette.count else {
                    throw ImageError.corruptPNG(
                        path: path,
                        reason: "pixel \(p) uses palette entry \(samples[p]) of \(palette.count / 3)"
                    )
                }
                rgb[3 * p] = palette[entry]
                rgb[3 * p + 1] = palette[entry + 1]
                rgb[3 * p + 2] = palette[entry + 2]
            }
            return DecodedImage(width: self.width, height: self.height, channels: 3, pixels: rgb)
        }
    }
}

extension Int {
    /// The big-endian 32-bit unsigned integer at `offset` of `bytes`.
    init(bigEndian bytes: [UInt8], at offset: Int) {
        self = (0..<4).reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
    }
}
