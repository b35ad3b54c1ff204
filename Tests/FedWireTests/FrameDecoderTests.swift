import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@testable import FedWire

struct FrameDecoderTests {
    static func bytes(_ frames: [Frame]) throws -> ByteBuffer {
        var out = ByteBuffer()
        for frame in frames { try FrameEncoder().encode(data: frame, out: &out) }
        return out
    }

    @Test func decodesFramesDripFedOrBatched() throws {
        let frames = [
            Frame(kind: .control, payload: ByteBuffer(string: #"{"type":"finished","body":{"rounds":3}}"#)),
            Frame(kind: .chunk, payload: ByteBuffer(bytes: [1, 2, 3, 4, 5])),
            Frame(kind: .trailer, payload: ByteBuffer()),
        ]
        let input = try Self.bytes(frames)

        // Feeds the bytes whole, one byte at a time and in other splits, and checks the
        // decoder leaves nothing behind.
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(input, frames)],
            decoderFactory: { FrameDecoder(maximumFrameBytes: 64) }
        )
    }

    @Test func refusesAFrameLongerThanTheLimitFromItsHeaderAlone() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maximumFrameBytes: 16)))
        var header = ByteBuffer()
        header.writeInteger(UInt32(1 << 30), endianness: .big)
        header.writeInteger(Frame.Kind.chunk.rawValue)

        #expect(throws: WireError.frameTooLarge(length: 1 << 30, limit: 16)) {
            try channel.writeInbound(header)
        }
        _ = try? channel.finish()
    }

    @Test func refusesAnUnknownFrameKind() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        var garbage = ByteBuffer()
        garbage.writeInteger(UInt32(1), endianness: .big)
        garbage.writeInteger(UInt8(99))
        garbage.writeInteger(UInt8(0))

        #expect(throws: WireError.unknownFrameKind(99)) { try channel.writeInbound(garbage) }
        _ = try? channel.finish()
    }

    @Test func encoderAndDecoderRoundTripThroughAChannel() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(FrameDecoder()), MessageToByteHandler(FrameEncoder()),
        ])
        let frame = Frame(kind: .chunk, payload: ByteBuffer(bytes: Array(repeating: 7, count: 100)))

        try channel.writeOutbound(frame)
        let wire = try #require(try channel.readOutbound(as: ByteBuffer.self))
        try channel.writeInbound(wire)

        #expect(wire.readableBytes == Frame.headerBytes + 100)
        #expect(try channel.readInbound(as: Frame.self) == frame)
        #expect(try channel.finish().isClean)
    }
}
