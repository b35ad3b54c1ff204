import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A round's updates in one file, `<folder>/<name>.updates`, read through a memory mapping:
/// robust aggregation needs every update at once, and a round of 50 sites × 90 MB would not fit
/// in the coordinator's memory. Rows are written with `pwrite` and read either through a shared
/// read-only mapping made for each `withRows` (`UpdateRows.row`) or block by block with `pread`
/// (`UpdateRows.read(columns:into:)`, what the robust rules use); neither appending nor a rule's
/// pass maps the file's pages into this process.
///
/// Costs: disk n·L·4 bytes for n updates of L values, plus at most one growth step (64 MiB) of
/// reserved space; memory: nothing per row, only the blocks a reader copies out. The kernel's
/// page cache holds recently written or read parts of the file, reclaimable at any time.
///
/// The file is ephemeral: it is never synced, `remove()` (or dropping the store) deletes it when
/// the round ends, and `removeStale(in:)` deletes what a crashed process left behind.
///
/// Concurrency: all mutable state is guarded by `lock`, which `withRows` holds while its closure
/// runs (so no append can change the file under a reader); the closure must not append to the
/// same store.
package final class MappedUpdateStore: UpdateStore, @unchecked Sendable {
    /// Extension of the store's file, which `removeStale(in:)` looks for.
    package static let fileExtension = "updates"
    /// Bytes the file grows by at a time (at least one row): few reservations, little slack.
    package static let growthBytes = 64 << 20

    package let url: URL
    package let length: Int
    private let lock = NSLock()
    // Guarded by `lock`.
    private var descriptor: Int32
    private var rows = 0
    private var reservedBytes = 0

    /// Creates (or truncates) `<folder>/<name>.updates` for updates of `length` values.
    package init(folder: URL, name: String, length: Int) throws(UpdateStoreError) {
        precondition(length > 0, "updates need at least one value")
        precondition(!name.isEmpty && !name.contains("/"), "a store's name is a plain file name")
        self.url = folder.appendingPathComponent("\(name).\(Self.fileExtension)")
        self.length = length
        self.descriptor = open(self.url.path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard self.descriptor >= 0 else {
            throw .cannotCreate(path: self.url.path, reason: String(cString: strerror(errno)))
        }
    }

    deinit { self.remove() }

    private var rowBytes: Int { self.length * MemoryLayout<Float>.size }

    package var count: Int { self.lock.withLock { self.rows } }

    /// Appends one update and returns its row index; a failed append leaves the rows as they were.
    @discardableResult
    package func append(_ values: UnsafeBufferPointer<Float>) throws(UpdateStoreError) -> Int {
        guard values.count == self.length else {
            throw .wrongLength(path: self.url.path, expected: self.length, found: values.count)
        }
        self.lock.lock()
        defer { self.lock.unlock() }
        precondition(self.descriptor >= 0, "append to a removed update store")
        let offset = self.rows * self.rowBytes
        if offset + self.rowBytes > self.reservedBytes { try self.reserve(atLeast: offset + self.rowBytes) }
        try self.write(UnsafeRawBufferPointer(values), at: offset)
        self.rows += 1
        return self.rows - 1
    }

    /// Calls `body` with a view of every row through a read-only mapping, unmapped afterwards.
    package func withRows<T>(_ body: (UpdateRows) throws -> T) throws -> T {
        self.lock.lock()
        defer { self.lock.unlock() }
        precondition(self.descriptor >= 0, "read from a removed update store")
        guard self.rows > 0 else {
            return try body(UpdateRows(base: nil, count: 0, length: self.length, descriptor: nil))
        }
        let bytes = self.rows * self.rowBytes
        let mapping = mmap(nil, bytes, PROT_READ, MAP_SHARED, self.descriptor, 0)
        guard let mapping, mapping != MAP_FAILED else {
            throw UpdateStoreError.cannotMap(
                path: self.url.path,
                bytes: bytes,
                reason: String(cString: strerror(errno))
            )
        }
        defer { munmap(mapping, bytes) }
        let base = UnsafePointer(mapping.assumingMemoryBound(to: Float.self))
        return try body(UpdateRows(base: base, count: self.rows, length: self.length, descriptor: self.descriptor))
    }

    /// Closes and deletes the file; later calls do nothing.
    package func remove() {
        self.lock.withLock {
            guard self.descriptor >= 0 else { return }
            close(self.descriptor)
            unlink(self.url.path)
            self.descriptor = -1
        }
    }

    /// Deletes the update files a crashed process left in `folder`; returns how many. Call it
    /// when the folder is opened, before any store of this process is created there.
    @discardableResult
    package static func removeStale(in folder: URL) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var removed = 0
        for name in names where name.hasSuffix(".\(Self.fileExtension)") {
            if unlink(folder.appendingPathComponent(name).path) == 0 { removed += 1 }
        }
        return removed
    }

    /// Grows the file to cover `bytes`, in steps of `growthBytes`. The space is allocated, not
    /// only the size set (as ftruncate would): a full disk is reported here as an error rather
    /// than later, when the kernel writes back the pages.
    private func reserve(atLeast bytes: Int) throws(UpdateStoreError) {
        let step = max(Self.growthBytes / self.rowBytes, 1) * self.rowBytes
        let target = max(bytes, self.reservedBytes + step)
        var code = posix_fallocate(self.descriptor, 0, off_t(target))
        // Filesystems without allocation support get a plain size change instead.
        if code == EOPNOTSUPP || code == EINVAL { code = ftruncate(self.descriptor, off_t(target)) == 0 ? 0 : errno }
        switch code {
        case 0: self.reservedBytes = target
        case ENOSPC, EFBIG, EDQUOT: throw .diskFull(path: self.url.path, bytes: target - self.reservedBytes)
        default: throw .cannotWrite(path: self.url.path, reason: String(cString: strerror(code)))
        }
    }

    private func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(UpdateStoreError) {
        var done = 0
        while done < bytes.count {
            let written = pwrite(self.descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if written < 0 {
                if errno == EINTR { continue }
                if errno == ENOSPC { throw .diskFull(path: self.url.path, bytes: bytes.count - done) }
                throw .cannotWrite(path: self.url.path, reason: String(cString: strerror(errno)))
            }
            done += written
        }
    }
}
