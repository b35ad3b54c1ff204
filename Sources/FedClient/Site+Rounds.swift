import FedLearning
import FedSupport
import FedTensor
import FedWire
import Foundation
import NIOCore

/// A site's side of `train` and `evaluate`, and its cache of base models by digest.
extension Site {
    func train(_ train: Message.Train, blob: ByteBuffer, trainer: SiteTrainer) throws -> RoundTraining.Result {
        let model = try self.base(train.baseDigest, trainer: trainer)
        let trainable = try Safetensors.decode(Data(blob.readableBytesView), path: "round \(train.round) tensors")
            .tensors
        // The same strict check as coordinator.yaml: a key this site does not know is refused,
        // never trained past with a default.
        let configuration: TrainingConfiguration
        do {
            configuration = try JSONDecoder().decode(
                TrainingConfiguration.self,
                from: JSONEncoder().encode(train.configuration)
            )
        } catch let error as DecodingError {
            throw SiteError.protocolViolation(
                detail: "the training settings of round \(train.round) are not valid: \(error.fieldDescription)"
            )
        }
        return try trainer.train(base: model, trainable: trainable, configuration: configuration)
    }

    func evaluate(
        _ evaluate: Message.Evaluate,
        blob: ByteBuffer,
        trainer: SiteTrainer
    ) throws
        -> SiteTrainer.Evaluation
    {
        let model = try self.base(evaluate.baseDigest, trainer: trainer)
        let trainable = try Safetensors.decode(Data(blob.readableBytesView), path: "round \(evaluate.round) tensors")
            .tensors
        return try trainer.evaluate(model, trainable: trainable)
    }

    private func base(_ digest: String, trainer: SiteTrainer) throws -> AnyClassifier {
        let url = self.cacheURL(digest)
        guard let blob = FileManager.default.contents(atPath: url.path) else {
            throw SiteError.unknownBaseModel(digest: digest)
        }
        return try trainer.baseModel(digest: digest, blob: blob, source: url.path)
    }

    func cacheURL(_ digest: String) -> URL {
        self.configuration.cache.appendingPathComponent("\(digest).safetensors")
    }

    func cachedDigests() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: self.configuration.cache.path)) ?? []
        return names.filter { $0.hasSuffix(".safetensors") }.map { String($0.dropLast(12)) }.sorted()
    }

    /// Keeps a base model by its digest, after checking that the bytes have that digest.
    func store(_ blob: ByteBuffer, digest: String) throws {
        let found = sha256Hex(blob.readableBytesView)
        guard found == digest else {
            throw SiteError.protocolViolation(detail: "base model digest is \(found), announced \(digest)")
        }
        try AtomicFile.write(Data(blob.readableBytesView), to: self.cacheURL(digest))
    }
}
