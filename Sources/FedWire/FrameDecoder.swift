import NIOCore

/// Cuts the byte stream into frames, refusing a frame longer than the limit as soon as
/// its header arrives (before buffering its payload) and an unknown kind. With
/// `frameSeconds`, a frame whose bytes have not all arrived that long after its first one
/// closes the connection (a peer dripping a frame holds nothing for long).
package struct FrameDecoder: ByteToMessageDecoder {
    package typealias InboundOut = Frame

    package let maximumFrameBytes: Int
    package let frameSeconds: Double?
    private var deadline: Scheduled<Void>?

    package init(maximumFrameBytes: Int = WireLimits().maximumFrameBytes, frameSeconds: Double? = nil) {
        self.maximumFrameBytes = maximumFrameBytes
        self.frameSeconds = frameSeconds
    }

    package mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try self.nextFrame(&buffer) else {
            if buffer.readableBytes > 0, self.deadline == nil, let seconds = self.frameSeconds {
                let channel = context.channel
                self.deadline = context.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
                    channel.close(promise: nil)
                }
            }
            return .needMoreData
        }
        self.deadline?.cancel()
        self.deadline = nil
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    package mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        try self.decode(context: context, buffer: &buffer)
    }

    /// The next whole frame at the front of `buffer`, consuming it; nil until all its
    /// bytes are there.
    package func nextFrame(_ buffer: inout ByteBuffer) throws -> Frame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self),
            let rawKind = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt8.self)
        else { return nil }
        guard Int(length) <= self.maximumFrameBytes else {
            throw WireError.frameTooLarge(length: Int(length), limit: self.maximumFrameBytes)
        }
        guard let kind = Frame.Kind(rawValue: rawKind) else { throw WireError.unknownFrameKind(rawKind) }
        guard buffer.readableBytes >= Frame.headerBytes + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: Frame.headerBytes)
        let payload = buffer.readSlice(length: Int(length))!
        return Frame(kind: kind, payload: payload)
    }
}

/// Writes frames: length, kind, payload.
package struct FrameEncoder: MessageToByteEncoder {
    package typealias OutboundIn = Frame

    package init() {}

    package func encode(data: Frame, out: inout ByteBuffer) throws {
        out.reserveCapacity(minimumWritableBytes: Frame.headerBytes + data.payload.readableBytes)
        out.writeInteger(UInt32(data.payload.readableBytes), endianness: .big)
        out.writeInteger(data.kind.rawValue)
        var payload = data.payload
        out.writeBuffer(&payload)
    }
}
