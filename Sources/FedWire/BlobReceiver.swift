import Crypto
import FedSupport
import NIOCore

/// Reassembles a blob announced by a message: chunk frames are written straight into
/// one buffer of the announced size (never a second copy) while their SHA-256 is
/// computed; the trailer's size and digest must match.
package struct BlobReceiver {
    package let announced: Int
    private var buffer: ByteBuffer
    private var hasher = SHA256()

    /// Prepares for `header.bytes` bytes, refusing sizes over `limit` before allocating.
    package init(header: Message.BlobHeader, limit: Int) throws {
        guard header.bytes >= 0, header.bytes <= limit else {
            throw WireError.blobTooLarge(bytes: header.bytes, limit: limit)
        }
        self.announced = header.bytes
        self.buffer = ByteBufferAllocator().buffer(capacity: header.bytes)
    }

    /// Takes the next frame of the blob; returns the whole blob after a valid trailer.
    package mutating func receive(_ frame: Frame) throws -> ByteBuffer? {
        switch frame.kind {
        case .chunk:
            let received = self.buffer.readableBytes + frame.payload.readableBytes
            guard received <= self.announced else {
                throw WireError.blobOverrun(announced: self.announced, received: received)
            }
            frame.payload.withUnsafeReadableBytes { self.hasher.update(bufferPointer: $0) }
            var payload = frame.payload
            self.buffer.writeBuffer(&payload)
            return nil
        case .trailer:
            let trailer = try BlobTrailer(frame: frame)
            guard self.buffer.readableBytes == self.announced, trailer.bytes == self.announced else {
                throw WireError.blobSizeMismatch(announced: self.announced, received: self.buffer.readableBytes)
            }
            let digest = hexString(self.hasher.finalize())
            guard digest == trailer.sha256 else {
                throw WireError.blobDigestMismatch(expected: trailer.sha256, found: digest)
            }
            return self.buffer
        case .control:
            throw WireError.unexpectedFrame(expected: "a blob chunk or trailer", found: "a control message")
        }
    }
}
