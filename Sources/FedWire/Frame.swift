import NIOCore

/// The unit on the wire: a 4-byte big-endian payload length, a 1-byte kind, then the
/// payload. Frames are small (at most `WireLimits.maximumFrameBytes`); a model of any
/// size travels as many chunk frames, so there is no ceiling on message size.
package struct Frame: Sendable, Equatable {
    package enum Kind: UInt8, Sendable, CaseIterable {
        /// A JSON control message (`Message`).
        case control = 1
        /// A slice of a safetensors blob, written into place by the receiver.
        case chunk = 2
        /// Closes a blob: its size and SHA-256 (`BlobTrailer`, JSON).
        case trailer = 3
    }

    package var kind: Kind
    package var payload: ByteBuffer

    package init(kind: Kind, payload: ByteBuffer) {
        self.kind = kind
        self.payload = payload
    }

    /// Bytes before the payload: length (4) and kind (1).
    package static let headerBytes = 5
}

/// Size limits every connection enforces.
package struct WireLimits: Sendable, Equatable {
    /// Largest payload of a single frame (default 16 MiB).
    package var maximumFrameBytes: Int = 16 * 1024 * 1024
    /// Payload size the sender cuts blobs into (default 1 MiB).
    package var chunkBytes: Int = 1024 * 1024
    /// Seconds a frame may take from its first byte to its last (default 60: a 1 MiB chunk
    /// needs only 17 kB/s); a peer that drips a frame is closed after this.
    package var frameSeconds: Double = 60
    /// Seconds without a single byte from the peer before the connection counts as dead
    /// (default 120; both ends send `ping` every `pingSeconds`, so a live peer is never idle).
    package var idleSeconds: Double = 120
    package var pingSeconds: Double = 30

    package init(maximumFrameBytes: Int = 16 * 1024 * 1024, chunkBytes: Int = 1024 * 1024) {
        precondition(chunkBytes <= maximumFrameBytes, "chunks must fit in a frame")
        self.maximumFrameBytes = maximumFrameBytes
        self.chunkBytes = chunkBytes
    }
}
