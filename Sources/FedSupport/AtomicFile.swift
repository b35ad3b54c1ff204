import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A file that could not be written, with the system's reason in words ("No space left on
/// device", "Read-only file system", "Permission denied").
package struct FileWriteFailure: Error, Equatable, CustomStringConvertible {
    package var path: String
    package var reason: String

    package init(path: String, errno code: Int32) {
        self.path = path
        self.reason = String(cString: strerror(code))
    }

    package var description: String { "cannot write \(self.path): \(self.reason)" }
}

/// Writes files so that a reader sees either the old content or the new, never a mix:
/// the bytes go to a temporary name in the same folder, are synced to disk, and the
/// temporary file is renamed over the target (and the folder synced, so the rename lasts).
/// Appends go to the end of a file with O_APPEND and are synced before they count.
package enum AtomicFile {
    /// Suffix of the temporary files; a crash may leave one, which `removeStale` deletes.
    package static let temporarySuffix = ".tmp"

    package static func write(_ data: Data, to url: URL, permissions: mode_t = 0o644) throws {
        let folder = url.deletingLastPathComponent()
        try self.createFolder(folder)
        let temporary = folder.appendingPathComponent(
            ".\(url.lastPathComponent).\(UUID().uuidString)\(self.temporarySuffix)"
        )
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard descriptor >= 0 else { throw FileWriteFailure(path: temporary.path, errno: errno) }
        do {
            try self.writeAll(data, to: descriptor, path: temporary.path)
            guard fsync(descriptor) == 0 else { throw FileWriteFailure(path: temporary.path, errno: errno) }
            close(descriptor)
        } catch {
            close(descriptor)
            unlink(temporary.path)
            throw error
        }
        guard rename(temporary.path, url.path) == 0 else {
            let code = errno
            unlink(temporary.path)
            throw FileWriteFailure(path: url.path, errno: code)
        }
        self.syncFolder(folder)
    }

    /// Appends `data` (whole lines) to `url`, creating it with `permissions`, and syncs it.
    package static func append(_ data: Data, to url: URL, permissions: mode_t = 0o644) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, permissions)
        guard descriptor >= 0 else { throw FileWriteFailure(path: url.path, errno: errno) }
        defer { close(descriptor) }
        try self.writeAll(data, to: descriptor, path: url.path)
        guard fsync(descriptor) == 0 else { throw FileWriteFailure(path: url.path, errno: errno) }
    }

    /// Creates `folder` and its parents, failing with the system's reason for the first part
    /// that cannot be made ("Not a directory" where a file is in the way, "Permission denied").
    package static func createFolder(_ folder: URL) throws {
        var path = ""
        for component in folder.standardizedFileURL.pathComponents {
            path = component == "/" ? "/" : (path == "/" ? "/\(component)" : "\(path)/\(component)")
            var status = stat()
            if stat(path, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFDIR else { throw FileWriteFailure(path: path, errno: ENOTDIR) }
                continue
            }
            guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw FileWriteFailure(path: path, errno: errno) }
        }
    }

    /// Deletes temporary files an interrupted write left in `folder`; returns how many.
    @discardableResult
    package static func removeStale(in folder: URL) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var removed = 0
        for name in names where name.hasPrefix(".") && name.hasSuffix(self.temporarySuffix) {
            if unlink(folder.appendingPathComponent(name).path) == 0 { removed += 1 }
        }
        return removed
    }

    private static func writeAll(_ data: Data, to descriptor: Int32, path: String) throws {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw FileWriteFailure(path: path, errno: errno)
                }
                offset += written
            }
        }
    }

    private static func syncFolder(_ folder: URL) {
        let descriptor = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
