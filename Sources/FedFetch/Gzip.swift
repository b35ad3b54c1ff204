import Foundation
import ZIPFoundation

/// Decompresses a single-member gzip file (RFC 1952) in memory with ZIPFoundation's raw
/// deflate decoder, checking the trailer's CRC-32 and length, so no `gunzip` is needed.
enum Gzip {
    static func decompress(_ data: Data, path: String) throws -> Data {
        let bytes = [UInt8](data)
        func corrupt(_ detail: String) -> FetchError {
            FetchError.unexpectedContent(path: path, detail: "not a valid gzip file: \(detail)")
        }
        guard bytes.count >= 18, bytes[0] == 0x1f, bytes[1] == 0x8b, bytes[2] == 8 else {
            throw corrupt("bad header")
        }
        let flags = bytes[3]
        var offset = 10
        if flags & 0x04 != 0 {  // FEXTRA: two-byte length, then that many bytes
            guard offset + 2 <= bytes.count else { throw corrupt("truncated extra field") }
            offset += 2 + Int(bytes[offset]) + Int(bytes[offset + 1]) << 8
        }
        for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 {  // FNAME, FCOMMENT: zero-terminated
            while offset < bytes.count, bytes[offset] != 0 { offset += 1 }
            offset += 1
        }
        if flags & 0x02 != 0 { offset += 2 }  // FHCRC
        guard offset <= bytes.count - 8 else { throw corrupt("truncated") }
        let deflated = Data(bytes[offset..<(bytes.count - 8)])
        let trailer = bytes[(bytes.count - 8)...].map(UInt32.init)
        let storedCRC = trailer[0] | trailer[1] << 8 | trailer[2] << 16 | trailer[3] << 24
        let storedSize = trailer[4] | trailer[5] << 8 | trailer[6] << 16 | trailer[7] << 24

        var output = Data()
        let crc: CRC32
        do {
            crc = try Data.decompress(
                size: Int64(deflated.count),
                bufferSize: 64 * 1024,
                skipCRC32: false,
                provider: { position, size in
                    // Asked past the end: the stream never finished, so the data is truncated.
                    guard position < deflated.count else { throw corrupt("deflate stream does not end") }
                    let start = Int(position)
                    return deflated.subdata(in: start..<min(start + size, deflated.count))
                },
                consumer: { output.append($0) }
            )
        } catch let error as FetchError {
            throw error
        } catch {
            throw corrupt("\(error)")
        }
        guard crc == storedCRC, UInt32(truncatingIfNeeded: output.count) == storedSize else {
            throw corrupt("CRC-32 or length does not match the trailer")
        }
        return output
    }
}
