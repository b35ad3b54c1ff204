import FedTensor
import FedText
import Foundation
import Testing

@testable import FedLearning

/// The encoder against Hugging Face's reference outputs for all-MiniLM-L6-v2: every layer,
/// the pooled and normalised embeddings, and a padded batch.
@Suite(.serialized) struct MiniLMReferenceTests {
    nonisolated(unsafe) static let shared: Result<SentenceEncoder, any Error> = Result {
        try SentenceEncoder(PretrainedBert.load(try MiniLMFixtures.modelFolder()))
    }

    func encoder() throws -> SentenceEncoder { try Self.shared.get() }

    @Test func everyLayerOfTheFirstExampleMatches() throws {
        let encoder = try self.encoder()
        let states = try #require(try MiniLMFixtures.json("hidden_states.json")["per_layer"] as? [String: Any])
        let ids = MiniLMFixtures.ids(states["input_ids"])
        let batch = TokenBatch(padding: [ids])
        encoder.encoder.forward(batch, parameters: encoder.parameters, training: false)
        let perLayer = try #require(states["values"] as? [Any])
        #expect(perLayer.count == 7)
        var worst: Float = 0
        defer { print("MiniLM per-layer hidden states: worst max |diff| \(worst)") }
        let outputs = [encoder.encoder.embeddings.output] + encoder.encoder.layers.map(\.output)
        for (index, expected) in perLayer.enumerated() {
            let difference =
                zip(outputs[index].scalars, MiniLMFixtures.floats(expected)).map { abs($0 - $1) }.max() ?? .infinity
            worst = Swift.max(worst, difference)
            #expect(difference <= 1e-4, "layer \(index): max |diff| \(difference)")
        }
    }

    @Test func lastHiddenStatesMatchIncludingA64TokenSentence() throws {
        let encoder = try self.encoder()
        let states = try #require(
            try MiniLMFixtures.json("hidden_states.json")["last_hidden_state"] as? [[String: Any]]
        )
        #expect(states.count == 2)
        for state in states {
            let ids = MiniLMFixtures.ids(state["input_ids"])
            let expected = MiniLMFixtures.floats(state["values"])
            try #require(expected.count == ids.count * 384)
            let hidden = encoder.encoder.forward(
                TokenBatch(padding: [ids]),
                parameters: encoder.parameters,
                training: false
            )
            let difference = zip(hidden.scalars, expected).map { abs($0 - $1) }.max()!
            #expect(difference <= 1e-4, "\(state["id"] ?? "?"): max |diff| \(difference)")
        }
    }

    @Test func everyReferenceSentenceEmbeddingMatches() throws {
        let encoder = try self.encoder()
        var worst: (difference: Float, cosine: Float) = (0, 1)
        defer { print("MiniLM embeddings: worst max |diff| \(worst.difference), lowest cosine \(worst.cosine)") }
        for (id, reference) in try MiniLMFixtures.sentences() {
            let ids = MiniLMFixtures.ids(reference["input_ids"])
            let embedding = encoder.embed(TokenBatch(padding: [ids]))
            let expected = MiniLMFixtures.floats(reference["embedding"])
            let difference = zip(embedding.scalars, expected).map { abs($0 - $1) }.max()!
            let cosine = zip(embedding.scalars, expected).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            worst = (Swift.max(worst.difference, difference), Swift.min(worst.cosine, cosine))
            #expect(difference <= 1e-5 && cosine >= 0.9999, "\(id): max |diff| \(difference), cosine \(cosine)")
        }
    }

    @Test func paddingInsideABatchChangesNoEmbedding() throws {
        let encoder = try self.encoder()
        let fixture = try MiniLMFixtures.json("batch_padding.json")
        let rows = try #require(fixture["input_ids"] as? [Any])
        let sequences = rows.map { row in MiniLMFixtures.ids(row).prefix { $0 != 0 } }.map(Array.init)
        let batch = TokenBatch(padding: sequences)
        #expect(batch.length == 210)
        let embeddings = encoder.embed(batch)
        let expected = MiniLMFixtures.floats(fixture["embeddings"])
        let difference = zip(embeddings.scalars, expected).map { abs($0 - $1) }.max()!
        #expect(embeddings.count == expected.count && difference <= 1e-5, "max |diff| \(difference)")
    }
}
