/// Why a site stopped.
package enum SiteError: Error, Equatable, CustomStringConvertible {
    case refused(message: String)
    case protocolViolation(detail: String)
    case unknownBaseModel(digest: String)
    case gaveUp(attempts: Int, lastError: String)

    package var description: String {
        switch self {
        case .refused(let message): "the coordinator refused this site: \(message)"
        case .protocolViolation(let detail): "the coordinator broke the protocol: \(detail)"
        case .unknownBaseModel(let digest): "asked to train on base model \(digest), which this site does not hold"
        case .gaveUp(let attempts, let lastError):
            "gave up after \(attempts) connection attempts; last error: \(lastError) "
                + "---> HINT: check --coordinator host:port and that the coordinator is running"
        }
    }
}
