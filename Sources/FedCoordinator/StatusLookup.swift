import FedObserve
import Foundation

/// `fedtune status SOURCE`: a federation's status from its state folder, or from a running
/// coordinator's `/status.json` when SOURCE is `http://HOST:PORT`.
package enum StatusLookup {
    package static func status(of source: String) async throws -> FederationStatus {
        guard source.hasPrefix("http://") || source.hasPrefix("https://") else {
            return try StateFolder(URL(fileURLWithPath: source)).status()
        }
        let (host, port) = try self.address(source)
        let url = "http://\(host):\(port)/status.json"
        let response = try await HTTPFetch.get(host: host, port: port, path: "/status.json")
        guard response.status == 200 else {
            throw ObserveError.badResponse(url: url, detail: "HTTP status \(response.status)")
        }
        do {
            return try FederationStatus.decode(response.body)
        } catch {
            throw ObserveError.badResponse(url: url, detail: "the body is not a fedtune status")
        }
    }

    /// HOST and PORT of `http://HOST:PORT[/…]`; the listener speaks plain HTTP only.
    static func address(_ source: String) throws(ObserveError) -> (host: String, port: Int) {
        guard source.hasPrefix("http://") else {
            throw .invalidAddress(source, setting: "the URL: the metrics listener speaks plain http://")
        }
        let rest = source.dropFirst("http://".count)
        let authority = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return try ObserveError.parse(address: String(authority), setting: "the URL (http://HOST:PORT)")
    }
}
