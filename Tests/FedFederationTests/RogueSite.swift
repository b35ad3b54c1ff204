import FedTLS
import FedTensor
import FedWire
import Foundation
import NIOCore
import NIOPosix
import OrderedCollections

/// A site with a valid certificate that speaks the protocol but sends a poisoned update
/// (e.g. NaN or a wrong shape), to show the coordinator refuses it and carries on.
struct RogueSite {
    var identity: URL
    var port: Int
    /// Turns the round's trainable tensors into the update to send.
    var poison: @Sendable (OrderedDictionary<String, Tensor>) -> OrderedDictionary<String, Tensor>

    /// Takes part until the coordinator says the run is finished; returns the rounds.
    func run() async throws -> Int {
        let context = try Identity(directory: self.identity).makeClientContext()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: self.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        Identity.makeClientHandler(context: context, coordinatorHost: "127.0.0.1"))
                    return try FrameCodec.wrap(channel, limits: WireLimits())
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var reader = MessageReader(inbound)
            let sender = MessageSender(outbound)
            try await sender.send(.hello(.init()))
            while let message = try await reader.receive() {
                switch message {
                case .model(let model):
                    _ = try await reader.receiveBlob(model.blob, limit: .max)
                case .train(let train):
                    let blob = try await reader.receiveBlob(train.blob, limit: .max)
                    let tensors = try Safetensors.decode(Data(blob.readableBytesView), path: "round").tensors
                    let update = ByteBuffer(bytes: Safetensors(tensors: self.poison(tensors)).encoded())
                    try await sender.send(
                        .update(.init(round: train.round, examples: 1000, metrics: ["loss": 0],
                                      blob: .init(content: .delta, bytes: update.readableBytes))),
                        blob: update)
                case .evaluate(let evaluate):
                    _ = try await reader.receiveBlob(evaluate.blob, limit: .max)
                    try await sender.send(.evaluation(.init(round: evaluate.round, examples: 1, metrics: ["accuracy": 0])))
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
