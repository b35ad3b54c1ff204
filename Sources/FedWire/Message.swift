import FedSupport
import Foundation

/// The control messages of protocol version 1, as JSON objects
/// `{"type": "<case>", "body": {…}}`. docs/PROTOCOL.md specifies each one.
package enum Message: Sendable, Equatable {
    case hello(Hello)
    case welcome(Welcome)
    case model(Model)
    case train(Train)
    case update(Update)
    case evaluate(Evaluate)
    case evaluation(Evaluation)
    case failure(Failure)
    case finished(Finished)
    /// Either way, during a round with secure aggregation: one step of its protocol.
    case secure(Secure)
    /// Either way, every `WireLimits.pingSeconds`: "still here" (body `{}`), so the other end's
    /// idle timeout never closes a live peer that is busy training or waiting for a round.
    case ping

    /// The protocol version this build speaks.
    package static let protocolVersion = 1

    /// Site → coordinator, first message on a connection.
    package struct Hello: Sendable, Equatable, Codable {
        package var protocolVersion: Int
        /// SHA-256 digests (hex) of the safetensors base models the site already holds.
        package var modelDigests: [String]
        /// How many labelled examples the site holds (optional): the most its updates and
        /// evaluations may weigh in this run.
        package var examples: Int?
        package init(protocolVersion: Int = Message.protocolVersion, modelDigests: [String] = [], examples: Int? = nil)
        {
            self.protocolVersion = protocolVersion
            self.modelDigests = modelDigests
            self.examples = examples
        }
    }

    /// Coordinator → site, answer to hello.
    package struct Welcome: Sendable, Equatable, Codable {
        package var protocolVersion: Int
        /// The site's name as the coordinator read it from the verified certificate.
        package var site: String
        package var completedRounds: Int
        package init(protocolVersion: Int = Message.protocolVersion, site: String, completedRounds: Int) {
            self.protocolVersion = protocolVersion
            self.site = site
            self.completedRounds = completedRounds
        }
    }

    /// Describes the safetensors blob that follows a message as chunk frames and a trailer.
    package struct BlobHeader: Sendable, Equatable, Codable {
        /// What the blob holds: the whole base model, or only the trainable tensors.
        package enum Content: String, Sendable, Codable {
            case baseModel = "base-model"
            case trainable
            case delta
            /// A secure-aggregation round's masked update: little-endian UInt32 values.
            case masked
        }

        package var content: Content
        package var bytes: Int
        package init(content: Content, bytes: Int) {
            self.content = content
            self.bytes = bytes
        }
    }

    /// Coordinator → site, once per site that lacks it: the base model (every tensor, with
    /// its architecture in the safetensors metadata); a blob follows, named by `digest`.
    package struct Model: Sendable, Equatable, Codable {
        package var digest: String
        package var blob: BlobHeader
        package init(digest: String, blob: BlobHeader) {
            self.digest = digest
            self.blob = blob
        }
    }

    /// Coordinator → site: train round `round` on this configuration; a blob follows.
    package struct Train: Sendable, Equatable, Codable {
        package var round: Int
        /// Digest of the base model the trainable tensors apply to.
        package var baseDigest: String
        package var configuration: JSONValue
        package var blob: BlobHeader
        /// The round's secure-aggregation setup when it has one (docs/PROTOCOL.md): the site
        /// then masks its update instead of sending it.
        package var secureAggregation: JSONValue?
        /// How the site compresses its update (`{"compression": "int8"}`, …); absent: dense F32.
        package var compression: JSONValue?
        /// The L2 bound the site clips its update to before compressing it.
        package var clipNorm: Double?
        package init(
            round: Int,
            baseDigest: String,
            configuration: JSONValue,
            blob: BlobHeader,
            secureAggregation: JSONValue? = nil,
            compression: JSONValue? = nil,
            clipNorm: Double? = nil
        ) {
            self.round = round
            self.baseDigest = baseDigest
            self.configuration = configuration
            self.blob = blob
            self.secureAggregation = secureAggregation
            self.compression = compression
            self.clipNorm = clipNorm
        }
    }

    /// One step of secure aggregation in `round`: `stage` names what `body` holds —
    /// site → coordinator "keys", "shares", "unmasked"; coordinator → site "neighbours",
    /// "routed", "unmask" (docs/PROTOCOL.md).
    package struct Secure: Sendable, Equatable, Codable {
        /// The stages' names.
        package enum Stage: String, Sendable, CaseIterable {
            case keys, shares, unmasked, neighbours, routed, unmask
        }

        package var round: Int
        package var stage: String
        package var body: JSONValue
        package init(round: Int, stage: String, body: JSONValue) {
            self.round = round
            self.stage = stage
            self.body = body
        }

        /// A step whose body is `value` encoded as JSON.
        package init(round: Int, stage: Stage, encoding value: some Encodable) throws {
            self.init(round: round, stage: stage.rawValue, body: try JSONValue(encoding: value))
        }

        /// The body decoded as `type`.
        package func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try JSONDecoder().decode(type, from: JSONEncoder().encode(self.body))
        }
    }

    /// Site → coordinator: the trained delta (local − global) follows as a blob.
    package struct Update: Sendable, Equatable, Codable {
        package var round: Int
        package var examples: Int
        package var metrics: [String: Double]
        package var blob: BlobHeader
        /// With a `masked` blob: the neighbours whose pairwise masks it carries.
        package var maskedWith: [String]?
        package init(
            round: Int,
            examples: Int,
            metrics: [String: Double],
            blob: BlobHeader,
            maskedWith: [String]? = nil
        ) {
            self.round = round
            self.examples = examples
            self.metrics = metrics
            self.blob = blob
            self.maskedWith = maskedWith
        }

        private enum CodingKeys: String, CodingKey { case round, examples, metrics, blob, maskedWith }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.round = try container.decodeWholeNumber(forKey: .round)
            self.examples = try container.decodeWholeNumber(forKey: .examples)
            self.metrics = try container.decode([String: Double].self, forKey: .metrics)
            self.blob = try container.decode(BlobHeader.self, forKey: .blob)
            self.maskedWith = try container.decodeIfPresent([String].self, forKey: .maskedWith)
        }
    }

    /// Coordinator → site: evaluate the new global model (trainable tensors follow).
    package struct Evaluate: Sendable, Equatable, Codable {
        package var round: Int
        /// Digest of the base model the trainable tensors apply to.
        package var baseDigest: String
        package var blob: BlobHeader
        package init(round: Int, baseDigest: String, blob: BlobHeader) {
            self.round = round
            self.baseDigest = baseDigest
            self.blob = blob
        }
    }

    /// Site → coordinator: metrics of the global model on the site's held-out split.
    package struct Evaluation: Sendable, Equatable, Codable {
        package var round: Int
        package var examples: Int
        package var metrics: [String: Double]
        package init(round: Int, examples: Int, metrics: [String: Double]) {
            self.round = round
            self.examples = examples
            self.metrics = metrics
        }

        private enum CodingKeys: String, CodingKey { case round, examples, metrics }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.round = try container.decodeWholeNumber(forKey: .round)
            self.examples = try container.decodeWholeNumber(forKey: .examples)
            self.metrics = try container.decode([String: Double].self, forKey: .metrics)
        }
    }

    /// Either side: something went wrong. Without `round`, the sender closes the connection
    /// after it. With `round`, it is the coordinator turning away that round's update: the
    /// connection stays open and the site carries on with the next message.
    package struct Failure: Sendable, Equatable, Codable {
        package var message: String
        package var round: Int?
        package init(message: String, round: Int? = nil) {
            self.message = message
            self.round = round
        }
    }

    /// Coordinator → site: the run is over.
    package struct Finished: Sendable, Equatable, Codable {
        package var rounds: Int
        package init(rounds: Int) { self.rounds = rounds }
    }
}

extension KeyedDecodingContainer {
    /// A count or a round number: a JSON number that is a whole number (a site in another
    /// language may write `5.0`), refused by name when it has a fraction (`1.5`).
    func decodeWholeNumber(forKey key: Key) throws -> Int {
        let value = try self.decode(Double.self, forKey: key)
        guard value.rounded() == value, abs(value) < 9_007_199_254_740_992 else {
            throw DecodingError.dataCorruptedError(
                forKey: key,
                in: self,
                debugDescription: "must be a whole number, not \(value)"
            )
        }
        return Int(value)
    }
}
