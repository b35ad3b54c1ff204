import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and writes the PEM files of a federation folder with the permissions they need.
enum PEMFile {
    /// Mode for private keys: owner read/write only.
    static let privateMode: mode_t = 0o600
    /// Mode for certificates, which are public.
    static let publicMode: mode_t = 0o644

    /// The file's text; a missing file is reported with `missing`, so each caller can say what to do about it.
    static func read(_ url: URL, missing: (String) -> PKIError) throws -> String {
        guard FileManager.default.fileExists(atPath: url.path) else { throw missing(url.path) }
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw PKIError.unreadableFile(path: url.path, reason: "\(error)")
        }
    }

    /// Creates `url` with `mode` and writes `text`; fails with ``PKIError/fileExists(path:)`` rather than replace
    /// a file. The mode is given to `open(2)` itself, so a key is never readable by others, not even briefly.
    static func create(_ text: String, at url: URL, mode: mode_t) throws {
        let path = url.path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST { throw PKIError.fileExists(path: path) }
            throw PKIError.writeFailed(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        // The umask may have narrowed the mode given to open; set it exactly (it can only be as wide as `mode`).
        guard fchmod(descriptor, mode) == 0 else { throw Self.failure(path) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Self.failure(path)
            }
            bytes = bytes.dropFirst(written)
        }
        guard fsync(descriptor) == 0 else { throw Self.failure(path) }
    }

    /// Creates `url` and any missing parents (mode 0755).
    static func makeDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(
                at: url,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o755]
            )
        } catch {
            throw PKIError.writeFailed(path: url.path, reason: "\(error)")
        }
    }

    private static func failure(_ path: String) -> PKIError {
        PKIError.writeFailed(path: path, reason: String(cString: strerror(errno)))
    }
}
