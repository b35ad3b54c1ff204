import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock (flock) on one file, held until `release()` or until the
/// lock is freed. The holder's PID is written into the file, so a refused process can say
/// who holds it. The kernel drops the lock when the holder dies: a crash never leaves a
/// folder locked.
package final class FileLock: @unchecked Sendable {
    package enum Failure: Error, Equatable, CustomStringConvertible {
        /// Another process (or another open of the file) holds the lock.
        case held(path: String, holder: Int32?)
        case unavailable(path: String, reason: String)

        package var description: String {
            switch self {
            case .held(let path, let holder):
                "\(path) is locked by " + (holder.map { "process \($0)" } ?? "another process")
            case .unavailable(let path, let reason): "cannot lock \(path): \(reason)"
            }
        }
    }

    package let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { self.release() }

    /// Takes the lock on `url` (creating the file), or throws `.held` at once when it is
    /// taken; with `wait`, blocks until it is free instead, calling `onWait` once first.
    package static func acquire(_ url: URL, wait: Bool = false, onWait: () -> Void = {}) throws -> FileLock {
        let path = url.path
        do {
            try AtomicFile.createFolder(url.deletingLastPathComponent())
        } catch let failure as FileWriteFailure {
            throw Failure.unavailable(path: path, reason: "cannot create its folder: \(failure)")
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw Failure.unavailable(path: path, reason: String(cString: strerror(errno)))
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard wait else {
                let holder = Self.holder(descriptor)
                close(descriptor)
                throw Failure.held(path: path, holder: holder)
            }
            onWait()
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    let reason = String(cString: strerror(errno))
                    close(descriptor)
                    throw Failure.unavailable(path: path, reason: reason)
                }
            }
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return FileLock(path: path, descriptor: descriptor)
    }

    /// Frees the lock; later calls do nothing.
    package func release() {
        guard self.descriptor >= 0 else { return }
        flock(self.descriptor, LOCK_UN)
        close(self.descriptor)
        self.descriptor = -1
    }

    private static func holder(_ descriptor: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
