import FedLearning
import FedObserve
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
        // The threshold this site reports with its evaluations is chosen for the configured target.
        trainer.thresholdTarget = configuration.threshold ?? .bestF1
        let started = ContinuousClock.now
        let result = try trainer.train(base: model, trainable: trainable, configuration: configuration)
        let took = started.duration(to: .now).components
        self.configuration.meters?.trained(
            examples: result.examples, seconds: Double(took.seconds) + Double(took.attoseconds) * 1e-18)
        return result
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
        let url = try self.heldURL(digest)
        guard let blob = FileManager.default.contents(atPath: url.path) else {
            throw SiteError.unknownBaseModel(digest: digest)
        }
        return try trainer.baseModel(digest: digest, blob: blob, source: url.path)
    }

    func cacheURL(_ digest: String) -> URL {
        self.configuration.cache.appendingPathComponent("\(digest).safetensors")
    }

    /// Where a base model the coordinator names is kept; a name that is not a SHA-256 in
    /// lowercase hex (a path, say) is a protocol violation, never a file name.
    func heldURL(_ digest: String) throws -> URL {
        guard digest.count == 64, digest.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw SiteError.protocolViolation(detail: "the base model's digest '\(digest.prefix(80))' is not a SHA-256")
        }
        return self.cacheURL(digest)
    }

    /// The size of a held base model: the most a round's tensors, a part of it, may take.
    func heldBytes(_ digest: String) throws -> Int {
        let url = try self.heldURL(digest)
        guard let size = try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int else {
            throw SiteError.unknownBaseModel(digest: digest)
        }
        return size
    }

    /// Receives a blob of at most `limit` bytes; a larger announcement or a broken blob is
    /// the coordinator breaking the protocol, which ends the site (it is not retried).
    func receiveBlob(
        _ reader: inout MessageReader,
        _ header: Message.BlobHeader,
        limit: Int,
        what: String
    ) async throws -> ByteBuffer {
        do {
            return try await reader.receiveBlob(header, limit: limit)
        } catch WireError.blobTooLarge(let bytes, let limit) {
            throw SiteError.protocolViolation(
                detail:
                    "\(what) was announced as \(bytes) bytes, more than the \(limit) this site accepts"
                    + (what == "the base model" ? " ---> HINT: --max-model-bytes raises the limit" : "")
            )
        } catch WireError.closedDuringBlob {
            // A lost connection (a restart, the network), retried like any other.
            throw ChannelError.eof
        } catch let error as WireError {
            throw SiteError.protocolViolation(detail: "\(what): \(error)")
        }
    }

    func cachedDigests() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: self.configuration.cache.path)) ?? []
        return names.filter { $0.hasSuffix(".safetensors") }.map { String($0.dropLast(12)) }.sorted()
    }

    /// Refuses a base model whose bytes do not have the digest announced (or one that is not a SHA-256).
    func checkDigest(_ blob: ByteBuffer, digest: String) throws {
        _ = try self.heldURL(digest)
        let found = sha256Hex(blob.readableBytesView)
        guard found == digest else {
            throw SiteError.protocolViolation(detail: "base model digest is \(found), announced \(digest)")
        }
    }

    /// Keeps a base model by its digest (checked by `checkDigest`).
    func store(_ blob: ByteBuffer, digest: String) throws {
        try AtomicFile.write(Data(blob.readableBytesView), to: try self.heldURL(digest))
    }
}
