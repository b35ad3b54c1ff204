/// Why a site stopped. Each is one plain sentence for the person running the site; the
/// process exits non-zero. Only a lost network is retried, and that is bounded.
package enum SiteError: Error, Equatable, CustomStringConvertible {
    /// The coordinator turned this site away (allow-list, version, a replaced connection…).
    case refused(message: String)
    case protocolViolation(detail: String)
    case unknownBaseModel(digest: String)
    /// The site's data cannot be used with the model (a missing column, an unknown label).
    case dataMismatch(detail: String)
    /// Training a round failed for a reason retrying would not change.
    case cannotTrain(round: Int, reason: String)
    /// A TLS refusal, or anything else retrying cannot fix.
    case connection(sentence: String)
    case gaveUp(attempts: Int, seconds: Int, lastError: String)

    package var description: String {
        switch self {
        case .refused(let message): "the coordinator refused this site: \(message)"
        case .protocolViolation(let detail): "the coordinator broke the protocol: \(detail)"
        case .unknownBaseModel(let digest): "asked to train on base model \(digest), which this site does not hold"
        case .dataMismatch(let detail):
            "this site's data does not fit the model: \(detail) ---> HINT: check --data, --label and --text-column"
        case .cannotTrain(let round, let reason): "round \(round) could not be trained here: \(reason)"
        case .connection(let sentence): sentence
        case .gaveUp(let attempts, let seconds, let lastError):
            "gave up after \(attempts) connection attempts in \(seconds) s: \(lastError) "
                + "---> HINT: check --coordinator host:port and that the coordinator is running "
                + "(--retries and --wait set how long to keep trying)"
        }
    }
}
