/// Why a secure-aggregation party refused a message or could not finish a round. Each case
/// names the site and the stage; the coordinator records these as refusals and goes on with
/// the other sites, a site gives up the round.
package enum SecAggError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The round's configuration breaks a rule of `SecAggConfiguration.validate()`.
    case invalidConfiguration(reason: String)
    /// A message came from, or names, a site that is not sampled for this round.
    case unknownSite(site: String, stage: SecAggStage)
    /// A message arrived while its sender (or the receiving party) was in another stage.
    case outOfStage(site: String, stage: SecAggStage, current: SecAggStage)
    /// A message belongs to another round.
    case wrongRound(site: String, stage: SecAggStage, round: Int, expected: Int)
    /// A site sent the same stage's message twice.
    case duplicateMessage(site: String, stage: SecAggStage)
    /// A site marked dropped, or left out of the round at an earlier stage, sent a message.
    case droppedSite(site: String, stage: SecAggStage)
    /// Public keys or a commitment that are not 32 valid bytes.
    case malformedKeys(site: String, detail: String)
    /// Shares or keys that involve a site outside the sender's neighbourhood.
    case notANeighbour(site: String, other: String, stage: SecAggStage)
    /// A site's shares (stage 2 ciphertexts, stage 3 plaintexts, stage 4 responses) are malformed.
    case malformedShares(site: String, stage: SecAggStage, detail: String)
    /// The coordinator's caller closed a stage the round is not in.
    case stageClosed(requested: SecAggStage, current: SecAggStage)
    /// A site answered stage 4 without having been asked (it sent no masked vector).
    case notAsked(site: String)
    /// A ciphertext of shares failed to authenticate: tampered with or misrouted.
    case shareFailedToDecrypt(from: String, to: String)
    /// A masked vector of the wrong length.
    case wrongVectorLength(site: String, length: Int, expected: Int)
    /// A masked vector says it was masked with other neighbours than the coordinator routed.
    case inconsistentMasking(site: String, expected: [String], found: [String])
    /// An unmask request names one site both as a survivor and as dropped.
    case bothSharesRequested(site: String, requester: String)
    /// An unmask request or response names a site the responder holds no share of.
    case unexpectedShare(site: String, about: String)
    /// Shares of one site's secret that reconstruct to a value failing its check.
    case badShares(owner: String, senders: [String], secret: String)
    /// No subset of the shares of one site's secret passes its check.
    case reconstructionFailed(owner: String, secret: String, shares: Int)
    /// Fewer than the threshold of share holders are left to reconstruct a site's secret.
    case tooFewSurvivors(site: String, stage: SecAggStage, available: Int, threshold: Int)
    /// The round cannot go on: fewer than the threshold of sites are left.
    case roundAbandoned(stage: SecAggStage, sites: Int, threshold: Int)
    /// A site's update was not quantised to the configured length or range.
    case wrongUpdateLength(site: String, length: Int, expected: Int)
    /// A coordinate of an update that is not finite or lies beyond the clip bound.
    case unquantisable(index: Int, value: Float, clipBound: Float)

    package var description: String {
        switch self {
        case .invalidConfiguration(let reason):
            return "the secure aggregation configuration is invalid: \(reason)"
        case .unknownSite(let site, let stage):
            return "site '\(site)' is not sampled for this round; its message in \(stage) was refused"
        case .outOfStage(let site, let stage, let current):
            return "site '\(site)' sent a message of \(stage) while the round is in \(current)"
        case .wrongRound(let site, let stage, let round, let expected):
            return "site '\(site)' sent a message of \(stage) for round \(round); this is round \(expected)"
        case .duplicateMessage(let site, let stage):
            return "site '\(site)' sent its message of \(stage) twice; the second was refused"
        case .droppedSite(let site, let stage):
            return "site '\(site)' was dropped or left out of the round earlier; its message in \(stage) was refused"
        case .malformedKeys(let site, let detail):
            return "site '\(site)' advertised malformed keys in stage 1 (advertise keys): \(detail)"
        case .notANeighbour(let site, let other, let stage):
            return "in \(stage), site '\(site)' named '\(other)', which is not its neighbour in this round's graph"
        case .malformedShares(let site, let stage, let detail):
            return "site '\(site)' sent malformed shares in \(stage): \(detail)"
        case .stageClosed(let requested, let current):
            return "the coordinator tried to close \(requested) while the round is in \(current)"
        case .notAsked(let site):
            return "site '\(site)' sent shares in stage 4 (unmask) but was not asked for any: "
                + "it sent no masked vector or was marked dropped"
        case .shareFailedToDecrypt(let from, let to):
            return "the shares from site '\(from)' to site '\(to)' failed to decrypt in stage 3 (masked input): "
                + "the ciphertext was tampered with or misrouted"
        case .wrongVectorLength(let site, let length, let expected):
            return "site '\(site)' sent a masked vector of \(length) values in stage 3 (masked input); "
                + "the round's vectors have \(expected)"
        case .inconsistentMasking(let site, let expected, let found):
            return "site '\(site)' masked with neighbours \(found) in stage 3 (masked input), "
                + "but the coordinator routed shares from \(expected)"
        case .bothSharesRequested(let site, let requester):
            return "the unmask request to site '\(requester)' in stage 4 (unmask) asks for both shares of site "
                + "'\(site)'; that would reveal its update, so the request was refused"
        case .unexpectedShare(let site, let about):
            return "in stage 4 (unmask), site '\(site)' was asked for or sent a share of '\(about)', "
                + "which it does not hold"
        case .badShares(let owner, let senders, let secret):
            return "in stage 4 (unmask), the shares of site '\(owner)''s \(secret) from \(senders) are wrong: "
                + "without them the secret passes its check"
        case .reconstructionFailed(let owner, let secret, let shares):
            return "in stage 4 (unmask), no subset of the \(shares) shares of site '\(owner)''s \(secret) "
                + "passes its check; the round's sum cannot be unmasked"
        case .tooFewSurvivors(let site, let stage, let available, let threshold):
            return "in \(stage), only \(available) share holders of site '\(site)' are left and \(threshold) are "
                + "needed ---> HINT: lower the threshold or sample more sites"
        case .roundAbandoned(let stage, let sites, let threshold):
            return "the round was abandoned in \(stage): \(sites) sites are left and the threshold is \(threshold)"
        case .wrongUpdateLength(let site, let length, let expected):
            return "site '\(site)' was given an update of \(length) values in stage 3 (masked input); "
                + "the round's vectors have \(expected)"
        case .unquantisable(let index, let value, let clipBound):
            return "coordinate \(index) of the update is \(value), outside [−\(clipBound), \(clipBound)] "
                + "---> HINT: clip the update to the round's clip bound before quantising"
        }
    }
}
