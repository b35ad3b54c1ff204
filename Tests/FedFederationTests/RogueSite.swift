import FedTLS
import FedTensor
import FedWire
import Foundation
import NIOCore
import NIOPosix
import OrderedCollections

/// A site with a valid certificate that misbehaves when asked to train — a poisoned
/// update (NaN, a wrong shape), bytes that are not a message, or a frame over the limit —
/// to show the coordinator refuses it and carries on with the others.
struct RogueSite {
    enum Misbehaviour: Sendable {
        /// Turns the round's trainable tensors into the update to send.
        case poison(@Sendable (OrderedDictionary<String, Tensor>) -> OrderedDictionary<String, Tensor>)
        /// A control frame whose payload is not JSON.
        case garbage
        /// An update whose blob arrives in one chunk frame of this many bytes.
        case oversizedFrame(Int)
        /// Takes every message and never answers one.
        case silent
        /// Announces `announced` examples in hello, then claims `claimed` for each update (a
        /// zero delta) and each evaluation (accuracy 1): a bid to take the average over.
        case inflated(announced: Int?, claimed: Int)
    }

    var identity: URL
    var port: Int
    var misbehaviour: Misbehaviour

    init(identity: URL, port: Int, misbehaviour: Misbehaviour) {
        self.identity = identity
        self.port = port
        self.misbehaviour = misbehaviour
    }

    init(
        identity: URL,
        port: Int,
        poison: @escaping @Sendable (OrderedDictionary<String, Tensor>) -> OrderedDictionary<String, Tensor>
    ) {
        self.init(identity: identity, port: port, misbehaviour: .poison(poison))
    }

    /// Takes part until the coordinator says the run is finished; returns the rounds.
    func run() async throws -> Int {
        let channel = try await TestConnection.open(identity: self.identity, port: self.port)
        return try await channel.executeThenClose { inbound, outbound in
            var reader = MessageReader(inbound)
            let sender = MessageSender(outbound)
            if case .inflated(let announced, _) = self.misbehaviour {
                try await sender.send(.hello(.init(examples: announced)))
            } else {
                try await sender.send(.hello(.init()))
            }
            while let message = try await reader.receive() {
                switch message {
                case .model(let model):
                    _ = try await reader.receiveBlob(model.blob, limit: .max)
                case .train(let train):
                    let blob = try await reader.receiveBlob(train.blob, limit: .max)
                    switch self.misbehaviour {
                    case .poison(let poison):
                        let tensors = try Safetensors.decode(Data(blob.readableBytesView), path: "round").tensors
                        let update = ByteBuffer(bytes: Safetensors(tensors: poison(tensors)).encoded())
                        try await sender.send(
                            .update(
                                .init(
                                    round: train.round,
                                    examples: 1000,
                                    metrics: ["loss": 0],
                                    blob: .init(content: .delta, bytes: update.readableBytes)
                                )
                            ),
                            blob: update
                        )
                    case .garbage:
                        try await outbound.write(
                            Frame(kind: .control, payload: ByteBuffer(bytes: [0xFF, 0x00, 0x13, 0x37]))
                        )
                    case .silent:
                        continue
                    case .inflated(_, let claimed):
                        let tensors = try Safetensors.decode(Data(blob.readableBytesView), path: "round").tensors
                        let zero = tensors.mapValues { Tensor(shape: $0.shape) }
                        let update = ByteBuffer(bytes: Safetensors(tensors: zero).encoded())
                        try await sender.send(
                            .update(
                                .init(
                                    round: train.round,
                                    examples: claimed,
                                    metrics: ["loss": 0],
                                    blob: .init(content: .delta, bytes: update.readableBytes)
                                )
                            ),
                            blob: update
                        )
                    case .oversizedFrame(let bytes):
                        try await sender.send(
                            .update(
                                .init(
                                    round: train.round,
                                    examples: 10,
                                    metrics: [:],
                                    blob: .init(content: .delta, bytes: bytes)
                                )
                            )
                        )
                        try await outbound.write(Frame(kind: .chunk, payload: ByteBuffer(repeating: 7, count: bytes)))
                    }
                case .evaluate(let evaluate):
                    _ = try await reader.receiveBlob(evaluate.blob, limit: .max)
                    if case .silent = self.misbehaviour { continue }
                    var (examples, accuracy) = (1, 0.0)
                    if case .inflated(_, let claimed) = self.misbehaviour { (examples, accuracy) = (claimed, 1) }
                    try await sender.send(
                        .evaluation(.init(round: evaluate.round, examples: examples, metrics: ["accuracy": accuracy]))
                    )
                case .finished(let finished):
                    return finished.rounds
                default:
                    continue
                }
            }
            return -1
        }
    }
}
