import FedSupport
import Foundation

/// An exclusive advisory lock on `<cache>/locks/<name>.lock`, so two fetches of the
/// same artifact, from two processes or two threads, take turns instead of both downloading
/// and unpacking. The kernel drops the lock if the holder dies, so a crash never leaves the
/// cache locked.
enum CacheLock {
    /// Runs `body` while holding the lock; blocks until it is free, calling `onWait` once
    /// first if another fetch holds it.
    static func withLock<T>(cache: URL, name: String, onWait: () -> Void, _ body: () throws -> T) throws -> T {
        let url = cache.appendingPathComponent("locks", isDirectory: true).appendingPathComponent("\(name).lock")
        let lock: FileLock
        do {
            lock = try FileLock.acquire(url, wait: true, onWait: onWait)
        } catch let failure as FileLock.Failure {
            throw FetchError.io(path: url.path, reason: "\(failure)")
        }
        defer { lock.release() }
        return try body()
    }
}
