import Foundation
import ZIPFoundation

/// Writes one gzip member (RFC 1952) around zlib's raw deflate, as ZIPFoundation exposes it,
/// so `tar -xzf` and `gunzip` read what fedtune packs without another compression library.
package enum GzipWriter {
    /// `data` compressed as a gzip file whose header carries `modified` (seconds since 1970).
    package static func compress(_ data: Data, modified: Date) throws(GzipProblem) -> Data {
        var deflated = Data()
        let crc: UInt32
        do {
            crc = try Data.compress(
                size: Int64(data.count),
                bufferSize: 64 * 1024,
                provider: { position, size in
                    let start = Int(position)
                    return data.subdata(in: start..<min(start + size, data.count))
                },
                consumer: { deflated.append($0) }
            )
        } catch {
            throw GzipProblem(reason: "\(error)")
        }
        let seconds = UInt32(clamping: max(0, Int64(modified.timeIntervalSince1970)))
        // ID1 ID2, CM = 8 (deflate), FLG = 0, MTIME (little-endian), XFL = 0, OS = 3 (Unix).
        var gzip = Data([0x1f, 0x8b, 8, 0])
        gzip.append(contentsOf: Self.littleEndian(seconds))
        gzip.append(contentsOf: [0, 3])
        gzip.append(deflated)
        gzip.append(contentsOf: Self.littleEndian(crc))
        gzip.append(contentsOf: Self.littleEndian(UInt32(truncatingIfNeeded: data.count)))
        return gzip
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}

/// zlib refused to compress (it runs out of memory, in practice).
package struct GzipProblem: Error, Sendable, Equatable, CustomStringConvertible {
    package let reason: String

    package var description: String { "cannot gzip the archive: \(self.reason)" }
}
