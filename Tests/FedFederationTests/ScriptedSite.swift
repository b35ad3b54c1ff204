import FedTLS
import FedWire
import Foundation
import NIOCore
import NIOPosix

/// A raw connection with a site's certificate that says what a test scripts: it sends
/// hello (unless told not to), waits for the coordinator's first `train`, sends the
/// scripted frames, and collects every `failure` until the coordinator closes the
/// connection or `finished` arrives.
struct ScriptedSite {
    enum Step: Sendable {
        /// One control frame with this JSON text as it stands (malformed on purpose).
        case json(String)
        /// An update for `round` whose blob's trailer carries a wrong SHA-256.
        case corruptBlob(round: Int)
        /// The last `train` blob's tensors sent back as the update for `round` (valid shapes).
        case echoUpdate(round: Int)
    }

    var identity: URL
    var port: Int
    var sendHello = true
    var steps: [Step]

    struct Outcome {
        var failures: [Message.Failure] = []
        /// Whether the coordinator closed the connection (rather than finishing the run).
        var closed = true
    }

    func run() async throws -> Outcome {
        let channel = try await TestConnection.open(identity: self.identity, port: self.port)
        return try await channel.executeThenClose { inbound, outbound in
            var reader = MessageReader(inbound)
            let sender = MessageSender(outbound)
            var outcome = Outcome()
            var lastTrain = ByteBuffer()
            if self.sendHello {
                try await sender.send(.hello(.init()))
            } else {
                try await self.perform(self.steps, sender: sender, outbound: outbound, lastTrain: lastTrain)
            }
            do {
                while let message = try await reader.receive() {
                    switch message {
                    case .model(let model): _ = try await reader.receiveBlob(model.blob, limit: .max)
                    case .evaluate(let evaluate):
                        _ = try await reader.receiveBlob(evaluate.blob, limit: .max)
                        // Answered at once, so a run's end never waits out the deadline.
                        try await sender.send(.evaluation(.init(round: evaluate.round, examples: 1, metrics: [:])))
                    case .train(let train):
                        lastTrain = try await reader.receiveBlob(train.blob, limit: .max)
                        if self.sendHello, train.round == 1 {
                            try await self.perform(self.steps, sender: sender, outbound: outbound, lastTrain: lastTrain)
                        }
                    case .failure(let failure): outcome.failures.append(failure)
                    case .finished:
                        outcome.closed = false
                        return outcome
                    default: continue
                    }
                }
            } catch {
                // The coordinator closed mid-frame or the TLS session ended: that is the outcome.
            }
            return outcome
        }
    }

    private func perform(
        _ steps: [Step],
        sender: MessageSender,
        outbound: NIOAsyncChannelOutboundWriter<Frame>,
        lastTrain: ByteBuffer
    ) async throws {
        for step in steps {
            switch step {
            case .json(let text):
                try await outbound.write(Frame(kind: .control, payload: ByteBuffer(string: text)))
            case .echoUpdate(let round):
                try await sender.send(
                    .update(
                        .init(
                            round: round,
                            examples: 5,
                            metrics: ["loss": 1],
                            blob: .init(content: .delta, bytes: lastTrain.readableBytes)
                        )
                    ),
                    blob: lastTrain
                )
            case .corruptBlob(let round):
                let bytes = ByteBuffer(repeating: 1, count: 64)
                try await sender.send(
                    .update(.init(round: round, examples: 5, metrics: [:], blob: .init(content: .delta, bytes: 64)))
                )
                try await outbound.write(Frame(kind: .chunk, payload: bytes))
                let trailer = #"{"bytes": 64, "sha256": "\#(String(repeating: "0", count: 64))"}"#
                try await outbound.write(Frame(kind: .trailer, payload: ByteBuffer(string: trailer)))
            }
        }
    }
}
