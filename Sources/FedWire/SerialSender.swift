import NIOCore

/// A `MessageSender` that more than one task may use: each message (and its blob, chunk
/// after chunk) goes out whole before the next, so a `ping` sent by a keepalive task never
/// lands between the chunks of an update.
package actor SerialSender {
    private let sender: MessageSender

    package init(_ sender: MessageSender) { self.sender = sender }

    package func send(_ message: Message) async throws {
        try await self.sender.send(message)
    }

    package func send(_ message: Message, blob: ByteBuffer) async throws {
        try await self.sender.send(message, blob: blob)
    }

    /// Sends `ping` every `seconds` until cancelled or a send fails.
    package func keepAlive(every seconds: Double) async {
        while (try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))) != nil {
            guard (try? await self.sender.send(.ping)) != nil else { return }
        }
    }
}
