#if canImport(Glibc)
import Glibc
#endif

/// A read-only view of one round's updates: `count` rows of `length` float32 values stored one
/// after another (row-major [count, length]), in a memory-mapped file (`MappedUpdateStore`) or
/// in memory (`InMemoryUpdateStore`, `init(buffer:length:)`). Nothing is copied; the view is
/// valid only inside the closure that handed it out and must not escape it.
///
/// Two ways to read: `row(_:)` points into the mapping (or memory), and `read(columns:into:)`
/// copies one block of every row into a small buffer. Rules that walk all rows block by block
/// use the second: reading a file's block through the mapping would map the page cache's whole
/// large folio around it (Linux 6 maps up to 2 MB per fault), so a pass over a block of every
/// row would bring the whole file into the process's resident memory; `pread` leaves those
/// pages in the kernel's page cache, where they stay reclaimable.
package struct UpdateRows {
    package let count: Int
    package let length: Int
    private let base: UnsafePointer<Float>?
    /// The file the rows are stored in, row after row from offset 0; nil in memory.
    private let descriptor: Int32?

    /// A view of `count` rows at `base`, stored in the file `descriptor` if given.
    init(base: UnsafePointer<Float>?, count: Int, length: Int, descriptor: Int32?) {
        precondition(count >= 0 && length > 0, "update rows need a positive length")
        precondition(count == 0 || base != nil, "non-empty update rows need storage")
        self.base = base
        self.count = count
        self.length = length
        self.descriptor = descriptor
    }

    /// A view of `buffer` as rows of `length` values; `buffer.count` must be a multiple of it.
    package init(buffer: UnsafeBufferPointer<Float>, length: Int) {
        precondition(length > 0 && buffer.count % length == 0, "the buffer must hold whole rows of \(length) values")
        self.init(base: buffer.baseAddress, count: buffer.count / length, length: length, descriptor: nil)
    }

    /// Row `index`: one site's update, [length].
    package func row(_ index: Int) -> UnsafeBufferPointer<Float> {
        precondition(index >= 0 && index < self.count, "row \(index) is outside 0..<\(self.count)")
        return UnsafeBufferPointer(start: self.base! + index * self.length, count: self.length)
    }

    /// Copies `columns` of every row into `destination`, [count, columns.count] row-major
    /// (row i's values at i·columns.count). Safe to call from several threads at once.
    package func read(columns: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        for i in 0..<self.count { self.read(row: i, columns: columns, into: destination + i * columns.count) }
    }

    /// Copies `columns` of row `index` into `destination`, [columns.count].
    package func read(row index: Int, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        precondition(index >= 0 && index < self.count, "row \(index) is outside 0..<\(self.count)")
        precondition(columns.lowerBound >= 0 && columns.upperBound <= self.length, "columns outside the rows")
        let offset = index * self.length + columns.lowerBound
        if let descriptor = self.descriptor,
            Self.pread(descriptor, destination, bytes: columns.count * 4, offset: offset * 4)
        {
            return
        }
        // In memory, or the file refused the read: copy through the mapping (an I/O error there
        // stops the process, as it would for any mapped read).
        destination.update(from: self.base! + offset, count: columns.count)
    }

    private static func pread(
        _ descriptor: Int32,
        _ target: UnsafeMutablePointer<Float>,
        bytes: Int,
        offset: Int
    ) -> Bool {
        var done = 0
        while done < bytes {
            let read = Glibc.pread(
                descriptor,
                UnsafeMutableRawPointer(target) + done,
                bytes - done,
                off_t(offset + done)
            )
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { return false }
            done += read
        }
        return true
    }
}
