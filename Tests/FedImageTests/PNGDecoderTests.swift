import FedTestSupport
import Foundation
import Testing

@testable import FedImage

struct PNGDecoderTests {
    /// Sample c of pixel (x, y) in the Python fixtures (make_png_fixtures.py).
    static func sample(_ x: Int, _ y: Int, _ c: Int) -> UInt8 { UInt8((37 * x + 91 * y + 53 * c) % 256) }

    static func expected(channels: Int) -> [UInt8] {
        (0..<5).flatMap { y in (0..<7).flatMap { x in (0..<channels).map { c in sample(x, y, c) } } }
    }

    @Test(arguments: [("grey.png", 1), ("grey_alpha.png", 1), ("rgb.png", 3), ("rgba.png", 3)])
    func decodesPythonWrittenPNGsWithEveryFilter(name: String, channels: Int) throws {
        let image = try PNGDecoder.decode(contentsOf: Fixtures.url(name))

        #expect(image.width == 7 && image.height == 5 && image.channels == channels)
        #expect(image.pixels == Self.expected(channels: channels))
    }

    @Test func decodesPaletteToRGB() throws {
        let image = try PNGDecoder.decode(contentsOf: Fixtures.url("palette.png"))

        let expected = (0..<5).flatMap { y in
            (0..<7).flatMap { x -> [UInt8] in
                let i = (x + 2 * y) % 16
                return [UInt8(i), UInt8(2 * i), UInt8(255 - i)]
            }
        }
        #expect(image.channels == 3)
        #expect(image.pixels == expected)
    }

    @Test(arguments: [
        ("grey16.png", "it has 16-bit samples; only 8-bit PNGs are read"),
        ("interlaced.png", "it is interlaced (Adam7)"),
    ])
    func refusesUnsupportedKindsNamingPathAndReason(name: String, reason: String) throws {
        let url = Fixtures.url(name)

        let error = #expect(throws: ImageError.self) { try PNGDecoder.decode(contentsOf: url) }

        #expect(error == .unsupportedPNG(path: url.path, reason: reason))
        #expect(error?.description.hasPrefix("\(url.path): \(reason);") == true)
    }

    @Test func refusesABadChunkCRC() throws {
        let url = Fixtures.url("bad_crc.png")

        let error = #expect(throws: ImageError.self) { try PNGDecoder.decode(contentsOf: url) }

        #expect(error == .corruptPNG(path: url.path, reason: "chunk IDAT fails its CRC-32 check"))
    }

    @Test func refusesTruncatedAndGarbageFiles() throws {
        let good = try Data(contentsOf: Fixtures.url("grey.png"))

        let truncated = #expect(throws: ImageError.self) { try PNGDecoder.decode(good.prefix(60), path: "t.png") }
        let garbage = #expect(throws: ImageError.self) { try PNGDecoder.decode(Data("GIF89a".utf8), path: "g.png") }

        #expect(truncated?.description.hasPrefix("t.png: not a valid PNG file:") == true)
        #expect(garbage == .corruptPNG(path: "g.png", reason: "it does not start with the PNG signature"))
    }

    @Test func refusesWrongAdlerChecksum() throws {
        // A stream whose deflate data is intact but whose Adler-32 trailer is off by one bit.
        var stream = Zlib.deflate([0, 1, 2, 3, 0, 4, 5, 6])
        stream[stream.count - 1] ^= 1

        #expect(throws: ZlibProblem.self) { try Zlib.inflate(stream, expectedSize: 8) }
        #expect(try Zlib.inflate(Zlib.deflate([0, 1, 2, 3, 0, 4, 5, 6]), expectedSize: 8) == [0, 1, 2, 3, 0, 4, 5, 6])
    }

    @Test func adler32MatchesKnownValues() {
        // zlib.adler32(b"Wikipedia") == 0x11E60398; of nothing, 1.
        #expect(Zlib.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(Zlib.adler32([]) == 1)
        // Past several 5,552-byte runs: zlib.adler32(bytes(range(256)) * 100) == 0x747FD0E0.
        #expect(Zlib.adler32((0..<25_600).map { UInt8($0 % 256) }) == 0x747F_D0E0)
    }

    @Test(arguments: [1, 3])
    func encodeThenDecodeRoundTrips(channels: Int) throws {
        var generator = SplitMix(seed: UInt64(channels))
        let (width, height) = (13, 9)
        // Smooth gradients with noise, so the encoder picks different filters on different rows.
        let pixels = (0..<(width * height * channels)).map { i in
            UInt8(truncatingIfNeeded: (i / channels) % width * 9 + Int(generator.next() % 7))
        }
        let image = DecodedImage(width: width, height: height, channels: channels, pixels: pixels)
        let folder = try TemporaryFolder("png")
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("round.png")

        try PNGEncoder.write(image, to: url)
        let back = try PNGDecoder.decode(contentsOf: url)

        #expect(back == image)
    }
}

/// A tiny deterministic generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
