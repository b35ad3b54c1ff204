import FedSupport
import Foundation

/// The SHA-256 of a file, read in chunks so an 80 MB wheel is never held in memory at once,
/// with a failure told as a fetch error naming the file.
package enum SHA256File {
    package static func hex(of url: URL) throws -> String {
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw FetchError.io(path: url.path, reason: "cannot open to check its SHA-256")
        }
        do {
            return try sha256Hex(contentsOf: url)
        } catch {
            throw FetchError.io(path: url.path, reason: "read failed: \(error.localizedDescription)")
        }
    }
}
