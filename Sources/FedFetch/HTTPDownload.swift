import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads one small file over HTTPS into memory with a bounded wait, for the few
/// datasets published outside PyPI. Failures come back as a short phrase (the system's
/// reason or the HTTP status), for the caller to put into its own sentence.
enum HTTPDownload {
    /// The body of `url`; throws a phrase when the network refuses, the server answers
    /// anything but 200, or nothing arrives within `timeout` seconds (between packets; the
    /// whole transfer may take six times as long).
    static func data(from url: URL, timeout: TimeInterval) throws(DownloadFailure) -> Data {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 6
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: URLRequest(url: url)) { data, response, error in
            outcome.set(data: data, status: (response as? HTTPURLResponse)?.statusCode, error: error)
            done.signal()
        }
        task.resume()
        done.wait()
        let (data, status, error) = outcome.get()
        if let error { throw DownloadFailure(reason: error.localizedDescription) }
        if let status, status != 200 { throw DownloadFailure(reason: "the server answered HTTP \(status)") }
        guard let data, !data.isEmpty else { throw DownloadFailure(reason: "the server sent nothing") }
        return data
    }

    /// The result handed from URLSession's delegate queue to the waiting caller; `lock`
    /// guards every access, which is what makes the unchecked Sendable safe.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var data: Data?
        private var status: Int?
        private var error: (any Error)?

        func set(data: Data?, status: Int?, error: (any Error)?) {
            self.lock.withLock { (self.data, self.status, self.error) = (data, status, error) }
        }

        func get() -> (Data?, Int?, (any Error)?) {
            self.lock.withLock { (self.data, self.status, self.error) }
        }
    }
}

/// Why a download failed, as a phrase.
struct DownloadFailure: Error {
    var reason: String
}
