import FedTLS
import NIOCore
import NIOEmbedded
import NIOTLS
import Testing

/// The handshake's verdict is always given: success when TLS completes, a failure when the
/// connection ends first — also when it never became active (a refused connect), which
/// removes the handler without `channelInactive` and would otherwise leak the promise (fatal
/// in debug builds: sites crashed reconnecting to a restarted coordinator).
struct HandshakeSignalTests {
    @Test func aCompletedHandshakeSucceeds() throws {
        let channel = EmbeddedChannel()
        let signal = HandshakeSignal(eventLoop: channel.eventLoop)
        try channel.pipeline.syncOperations.addHandler(signal)
        channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: nil))
        try signal.completed.wait()
        _ = try channel.finish()
    }

    @Test func aHandlerRemovedBeforeTheConnectionWasActiveFailsInsteadOfLeaking() throws {
        let channel = EmbeddedChannel()
        let signal = HandshakeSignal(eventLoop: channel.eventLoop)
        try channel.pipeline.syncOperations.addHandler(signal)
        try channel.pipeline.syncOperations.removeHandler(signal).wait()
        #expect(throws: ChannelError.self) { try signal.completed.wait() }
        _ = try channel.finish()
    }

    @Test func aConnectionClosedAfterTheHandshakeKeepsItsSuccess() throws {
        let channel = EmbeddedChannel()
        let signal = HandshakeSignal(eventLoop: channel.eventLoop)
        try channel.pipeline.syncOperations.addHandler(signal)
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: nil))
        _ = try channel.finish()
        try signal.completed.wait()
    }
}
