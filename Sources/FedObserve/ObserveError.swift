import NIOCore
import NIOPosix

/// Why the metrics and status listener could not start, or a status could not be fetched,
/// as sentences an operator can act on.
package enum ObserveError: Error, Equatable, CustomStringConvertible {
    /// Binding failed; `setting` names where the address was given (`metrics.listen in
    /// coordinator.yaml`, `--metrics`).
    case cannotListen(host: String, port: Int, reason: String, setting: String)
    /// A listen address that is not HOST:PORT with a port in 0…65535.
    case invalidAddress(String, setting: String)
    /// `fedtune status URL` could not get an answer.
    case unreachable(url: String, reason: String)
    /// The answer was not what a fedtune status endpoint sends.
    case badResponse(url: String, detail: String)

    package var description: String {
        switch self {
        case .cannotListen(let host, let port, let reason, let setting):
            "metrics: cannot listen on \(host):\(port): \(reason); choose another \(setting)"
        case .invalidAddress(let value, let setting):
            "metrics: '\(value)' is not HOST:PORT with a port in 0...65535; fix \(setting)"
        case .unreachable(let url, let reason):
            "cannot reach \(url): \(reason) ---> HINT: check that the coordinator runs with metrics.listen at that address"
        case .badResponse(let url, let detail):
            "\(url) did not answer as a fedtune status endpoint: \(detail)"
        }
    }

    /// The reason a bind or connect failed, in words (no errno codes).
    static func reason(_ error: any Error) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case EADDRINUSE: return "the port is in use"
            case EACCES, EPERM: return "permission denied (ports below 1024 need privileges)"
            case EADDRNOTAVAIL: return "the address is not one of this machine's"
            case ECONNREFUSED: return "nothing listens there (connection refused)"
            case ETIMEDOUT: return "the connection timed out"
            default: break
            }
        }
        if error is SocketAddressError { return "the host name does not resolve to an address" }
        if case ChannelError.connectTimeout = error { return "the connection timed out" }
        return "\(error)"
    }

    /// Splits HOST:PORT (port 0 picks a free one).
    package static func parse(address: String, setting: String) throws(ObserveError) -> (host: String, port: Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65535).contains(port), colon != address.startIndex
        else { throw .invalidAddress(address, setting: setting) }
        return (String(address[..<colon]), port)
    }
}
