import Foundation
import ZIPFoundation

/// zlib streams (RFC 1950) as PNG uses them: a 2-byte header, raw deflate data, and the
/// Adler-32 of the uncompressed bytes. The deflate part goes through ZIPFoundation's raw
/// deflate coder, so no other compression library is needed; the header and the checksum
/// are handled here.
enum Zlib {
    /// The bytes `stream` holds; throws a phrase saying what is wrong.
    ///
    /// `expectedSize` is the exact number of bytes the caller needs: more or fewer is an
    /// error, and inflating stops growing its buffer past it.
    static func inflate(_ stream: [UInt8], expectedSize: Int) throws(ZlibProblem) -> [UInt8] {
        guard stream.count >= 6 else { throw ZlibProblem("the zlib stream is only \(stream.count) bytes long") }
        let (cmf, flg) = (stream[0], stream[1])
        guard cmf & 0x0F == 8, cmf >> 4 <= 7, (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0 else {
            throw ZlibProblem("the zlib header is not a deflate header")
        }
        guard flg & 0x20 == 0 else { throw ZlibProblem("the zlib stream asks for a preset dictionary") }
        let deflated = Data(stream[2..<(stream.count - 4)])
        var output = [UInt8]()
        output.reserveCapacity(expectedSize)
        var tooLong = false
        do {
            _ = try Data.decompress(
                size: Int64(deflated.count),
                bufferSize: 64 * 1024,
                skipCRC32: true,
                provider: { position, size in
                    // Asked past the end: the stream never finished, so the data is truncated.
                    guard position < deflated.count else { throw ZlibProblem("the deflate stream is truncated") }
                    let start = Int(position)
                    var chunk = deflated.subdata(in: start..<min(start + size, deflated.count))
                    // The decoder tells zlib the chunk is `size` bytes long whatever it holds, so
                    // pad it: zlib must never read past the buffer on a damaged stream.
                    if chunk.count < size { chunk.append(Data(count: size - chunk.count)) }
                    return chunk
                },
                consumer: { data in
                    guard output.count + data.count <= expectedSize else {
                        tooLong = true
                        throw ZlibProblem("the image data is longer than the header's size")
                    }
                    output.append(contentsOf: data)
                }
            )
        } catch let problem as ZlibProblem {
            throw problem
        } catch {
            throw ZlibProblem(tooLong ? "the image data is too long" : "the deflate stream is damaged")
        }
        guard output.count == expectedSize else {
            throw ZlibProblem("the image data holds \(output.count) bytes, the header's size needs \(expectedSize)")
        }
        let tail = stream.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard tail == self.adler32(output) else {
            throw ZlibProblem("the Adler-32 checksum of the image data does not match; the file is damaged")
        }
        return output
    }

    /// A zlib stream of `bytes`, deflated at the default level.
    static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        let source = Data(bytes)
        var out: [UInt8] = [0x78, 0x9C]
        do {
            _ = try Data.compress(
                size: Int64(source.count),
                bufferSize: 64 * 1024,
                provider: { position, size in source.subdata(in: Int(position)..<(Int(position) + size)) },
                consumer: { out.append(contentsOf: $0) }
            )
        } catch {
            // Deflating bytes in memory has no failure mode but running out of memory; fall
            // back to stored blocks, which need no compressor.
            out = [0x78, 0x01] + self.storedBlocks(bytes)
        }
        let adler = self.adler32(bytes)
        out += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: adler >> $0) }
        return out
    }

    /// Raw deflate "stored" blocks (no compression) holding `bytes`.
    private static func storedBlocks(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        repeat {
            let length = min(65_535, bytes.count - start)
            let final: UInt8 = start + length == bytes.count ? 1 : 0
            out += [
                final, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF),
            ]
            out += bytes[start..<(start + length)]
            start += length
        } while start < bytes.count
        return out
    }

    /// Adler-32 (RFC 1950), summing 5,552 bytes between reductions as zlib does (the largest
    /// run whose sums cannot overflow 32 bits).
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            while index < buffer.count {
                let end = min(index + 5552, buffer.count)
                while index < end {
                    a &+= UInt32(buffer[index])
                    b &+= a
                    index += 1
                }
                a %= 65_521
                b %= 65_521
            }
        }
        return b << 16 | a
    }
}

/// What is wrong with a zlib stream, as a phrase the caller puts after the file's path.
struct ZlibProblem: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
