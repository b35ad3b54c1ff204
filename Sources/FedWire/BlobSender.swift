import Crypto
import FedSupport
import NIOCore

/// Cuts a safetensors blob into chunk frames of at most `limits.chunkBytes` and closes
/// it with a trailer carrying its SHA-256, so a blob of any size crosses the wire in
/// bounded frames.
package struct BlobSender: Sequence {
    package let blob: ByteBuffer
    package let chunkBytes: Int

    package init(blob: ByteBuffer, limits: WireLimits = WireLimits()) {
        self.blob = blob
        self.chunkBytes = limits.chunkBytes
    }

    /// The digest (hex) the trailer will carry.
    package var sha256: String {
        var hasher = SHA256()
        self.blob.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        return hexString(hasher.finalize())
    }

    /// Chunk frames (slices of the blob, no copies) and then the trailer.
    package func makeIterator() -> AnyIterator<Frame> {
        var remaining = self.blob
        var trailerSent = false
        let chunkBytes = self.chunkBytes
        let trailer = BlobTrailer(bytes: self.blob.readableBytes, sha256: self.sha256)
        return AnyIterator {
            if remaining.readableBytes > 0 {
                let slice = remaining.readSlice(length: Swift.min(chunkBytes, remaining.readableBytes))!
                return Frame(kind: .chunk, payload: slice)
            }
            guard !trailerSent else { return nil }
            trailerSent = true
            return try? trailer.frame()
        }
    }
}
