import Crypto
import Foundation

/// SHA-256 of bytes as lowercase hex: how base models are named on the wire and how
/// checkpoints are identified in rounds.jsonl.
package func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
    var hasher = SHA256()
    bytes.withContiguousStorageIfAvailable { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        ?? hasher.update(data: Array(bytes))
    return hexString(hasher.finalize())
}

/// Lowercase hex of a digest.
package func hexString(_ digest: some Sequence<UInt8>) -> String {
    digest.map { String(format: "%02x", $0) }.joined()
}

/// SHA-256 of a file as lowercase hex, read in 1 MiB chunks so a large file is never held
/// in memory at once. Throws Foundation's error when the file cannot be opened or read.
package func sha256Hex(contentsOf url: URL) throws -> String {
    let handle = try FileHandle(forReadingFrom: url)
    defer { try? handle.close() }
    var hasher = SHA256()
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        hasher.update(data: chunk)
    }
    return hexString(hasher.finalize())
}
