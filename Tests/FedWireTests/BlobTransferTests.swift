import NIOCore
import Testing

@testable import FedWire

struct BlobTransferTests {
    static func blob(_ count: Int) -> ByteBuffer {
        ByteBuffer(bytes: (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) })
    }

    @Test(arguments: [0, 1, 999, 1000, 1001, 10_000])
    func blobOfAnySizeCrossesInBoundedChunksAndReassemblesExactly(size: Int) throws {
        let limits = WireLimits(maximumFrameBytes: 4096, chunkBytes: 1000)
        let frames = Array(BlobSender(blob: Self.blob(size), limits: limits))
        var receiver = try BlobReceiver(header: .init(content: .delta, bytes: size), limit: 1 << 20)

        var result: ByteBuffer?
        for frame in frames { result = try receiver.receive(frame) }

        #expect(frames.dropLast().allSatisfy { $0.kind == .chunk && $0.payload.readableBytes <= 1000 })
        #expect(frames.count == (size + 999) / 1000 + 1)
        #expect(result == Self.blob(size))
    }

    @Test func corruptedChunkFailsTheDigestCheck() throws {
        var frames = Array(BlobSender(blob: Self.blob(3000), limits: .init(chunkBytes: 1000)))
        frames[1].payload.setInteger(UInt8(0xFF), at: frames[1].payload.readerIndex + 5)
        var receiver = try BlobReceiver(header: .init(content: .delta, bytes: 3000), limit: 1 << 20)

        #expect(throws: WireError.self) {
            for frame in frames { _ = try receiver.receive(frame) }
        }
    }

    @Test func moreBytesThanAnnouncedAreRefusedAtTheChunk() throws {
        var receiver = try BlobReceiver(header: .init(content: .delta, bytes: 10), limit: 100)

        #expect(throws: WireError.blobOverrun(announced: 10, received: 11)) {
            try receiver.receive(Frame(kind: .chunk, payload: Self.blob(11)))
        }
    }

    @Test func shortBlobIsRefusedAtTheTrailer() throws {
        let frames = Array(BlobSender(blob: Self.blob(5)))
        var receiver = try BlobReceiver(header: .init(content: .delta, bytes: 6), limit: 100)

        _ = try receiver.receive(frames[0])
        #expect(throws: WireError.blobSizeMismatch(announced: 6, received: 5)) { try receiver.receive(frames[1]) }
    }

    @Test func announcedSizeOverTheLimitIsRefusedBeforeAllocating() {
        #expect(throws: WireError.blobTooLarge(bytes: 1 << 40, limit: 1 << 20)) {
            try BlobReceiver(header: .init(content: .baseModel, bytes: 1 << 40), limit: 1 << 20)
        }
    }
}
