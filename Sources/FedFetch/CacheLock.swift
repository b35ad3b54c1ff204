import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock (flock) on `<cache>/locks/<name>.lock`, so two fetches of the
/// same artifact, from two processes or two threads, take turns instead of both downloading
/// and unpacking. The kernel drops the lock if the holder dies, so a crash never leaves the
/// cache locked.
enum CacheLock {
    /// Runs `body` while holding the lock; blocks until it is free, calling `onWait` once
    /// first if another fetch holds it.
    static func withLock<T>(cache: URL, name: String, onWait: () -> Void, _ body: () throws -> T) throws -> T {
        let folder = cache.appendingPathComponent("locks", isDirectory: true)
        let path = folder.appendingPathComponent("\(name).lock").path
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw FetchError.io(
                path: folder.path,
                reason: "cannot create the lock folder: \(error.localizedDescription)"
            )
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FetchError.io(path: path, reason: "cannot open lock file: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            onWait()
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    throw FetchError.io(path: path, reason: "cannot lock: \(String(cString: strerror(errno)))")
                }
            }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
