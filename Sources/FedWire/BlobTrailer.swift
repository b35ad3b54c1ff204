import Crypto
import Foundation
import NIOCore

/// The frame that closes a tensor blob: its size and SHA-256, as JSON
/// `{"bytes": N, "sha256": "<64 hex digits>"}`.
package struct BlobTrailer: Sendable, Equatable, Codable {
    package var bytes: Int
    package var sha256: String

    package init(bytes: Int, sha256: String) {
        self.bytes = bytes
        self.sha256 = sha256
    }

    package func frame() throws -> Frame {
        Frame(kind: .trailer, payload: ByteBuffer(bytes: try JSONEncoder().encode(self)))
    }

    package init(frame: Frame) throws {
        do {
            self = try JSONDecoder().decode(BlobTrailer.self, from: Data(frame.payload.readableBytesView))
        } catch {
            throw WireError.malformedMessage(detail: "blob trailer is not {\"bytes\", \"sha256\"}")
        }
    }
}
