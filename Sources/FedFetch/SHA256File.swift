import Crypto
import Foundation

/// The SHA-256 of a file, read in 1 MiB chunks so an 80 MB wheel is never held in memory at once.
package enum SHA256File {
    package static func hex(of url: URL) throws -> String {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw FetchError.io(
                path: url.path,
                reason: "cannot open to check its SHA-256: \(error.localizedDescription)"
            )
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: 1 << 20)
            } catch {
                throw FetchError.io(path: url.path, reason: "read failed: \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
