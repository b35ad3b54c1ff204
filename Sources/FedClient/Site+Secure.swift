import FedLearning
import FedRounds
import FedSecAgg
import FedSupport
import FedTensor
import FedWire
import Foundation
import Logging
import NIOCore

/// A site's side of secure aggregation: when `train` carries a setup, the site advertises
/// its keys, shares its secrets with its neighbours through the coordinator, trains once
/// the neighbours' shares are in, sends its clipped update quantised and masked, and
/// returns the shares the coordinator asks for to unmask the sum. Keys, seeds and rounding
/// come from the system's secure generator.
extension Site {
    /// The secure round a site is in: its protocol state and the round it will train.
    struct SecureState {
        var party: SecAggSite
        var setup: SecureSetup
        var train: Message.Train
        var blob: ByteBuffer
    }

    /// `train` with a setup: the site's keys go out; training waits for the shares.
    func startSecure(_ train: Message.Train, blob: ByteBuffer, name: String, sender: SerialSender) async throws
        -> SecureState
    {
        let setup: SecureSetup
        do {
            setup = try JSONDecoder().decode(SecureSetup.self, from: JSONEncoder().encode(train.secureAggregation))
        } catch let error as DecodingError {
            throw SiteError.protocolViolation(
                detail: "round \(train.round)'s secure-aggregation setup is not valid: \(error.fieldDescription)")
        }
        var generator = SystemRandomNumberGenerator()
        var party: SecAggSite
        do {
            party = try SecAggSite(name: name, configuration: setup.configuration, using: &generator)
        } catch {
            throw SiteError.protocolViolation(detail: "round \(train.round)'s secure aggregation: \(error)")
        }
        let keys = party.advertiseKeys()
        try await sender.send(.secure(try .init(round: train.round, stage: .keys, encoding: keys)))
        return SecureState(party: party, setup: setup, train: train, blob: blob)
    }

    /// One step the coordinator sent; the secure round ends (nil) once the masked update is
    /// out and the unmasking shares are sent, or when the protocol fails here.
    func continueSecure(
        _ step: Message.Secure,
        state: SecureState,
        trainer: SiteTrainer,
        sender: SerialSender
    ) async throws -> SecureState? {
        var state = state
        let round = state.train.round
        do {
            switch Message.Secure.Stage(rawValue: step.stage) {
            case .neighbours:
                var generator = SystemRandomNumberGenerator()
                let shares = try state.party.shareKeys(
                    neighbours: try step.decode(NeighbourKeys.self), using: &generator)
                try await sender.send(.secure(try .init(round: round, stage: .shares, encoding: shares)))
            case .routed:
                let shares = try step.decode([EncryptedShares].self)
                let (train, blob) = (state.train, state.blob)
                let result = try await Self.offPool {
                    try self.dataCheck(round: round) { try self.train(train, blob: blob, trainer: trainer) }
                }
                var generator = SystemRandomNumberGenerator()
                let vector = try SecureVector.quantize(
                    result.delta, spec: TensorSpec(of: result.delta), setup: state.setup, using: &generator)
                let masked = try state.party.maskedInput(update: vector, sharesReceived: shares)
                var bytes = ByteBuffer()
                bytes.reserveCapacity(4 * masked.vector.count)
                for value in masked.vector { bytes.writeInteger(value, endianness: .little) }
                try await sender.send(
                    .update(
                        .init(
                            round: round, examples: result.examples,
                            metrics: result.metrics.filter { $0.value.isFinite },
                            blob: .init(content: .masked, bytes: bytes.readableBytes),
                            maskedWith: masked.maskedWith)),
                    blob: bytes)
                self.logger.info(
                    "masked update sent",
                    metadata: ["round.number": "\(round)", "update.examples": "\(result.examples)"])
            case .unmask:
                let response = try state.party.unmask(request: try step.decode(UnmaskRequest.self))
                try await sender.send(.secure(try .init(round: round, stage: .unmasked, encoding: response)))
                return nil
            default:
                throw SiteError.protocolViolation(detail: "a coordinator cannot send the step '\(step.stage.prefix(40))'")
            }
        } catch let error as SecAggError {
            // A neighbour's broken share or a request this site must refuse: it sits this
            // round out (the coordinator counts it as failed) and carries on with the next.
            self.logger.warning(
                "secure aggregation failed for this round", metadata: ["round.number": "\(round)", "reason": "\(error)"])
            return nil
        } catch let error as UpdateRejection {
            throw SiteError.cannotTrain(round: round, reason: "\(error)")
        }
        return state
    }
}
