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
