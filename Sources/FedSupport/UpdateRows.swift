#if canImport(Glibc)
import Glibc
#endif

/// A read-only view of one round's updates: `count` rows of `length` float32 values stored one
/// after another (row-major [count, length]), in a memory-mapped file (`MappedUpdateStore`) or
/// in memory (`InMemoryUpdateStore`, `init(buffer:length:)`). Nothing is copied; the view is
/// valid only inside the closure that handed it out and must not escape it.
package struct UpdateRows {
    package let count: Int
    package let length: Int
    private let base: UnsafePointer<Float>?
    /// Whether the rows are a shared file mapping, whose pages `release(columns:)` may drop.
    private let mapped: Bool

    /// A view of `count` rows at `base`; `mapped` marks a page-aligned file mapping.
    init(base: UnsafePointer<Float>?, count: Int, length: Int, mapped: Bool) {
        precondition(count >= 0 && length > 0, "update rows need a positive length")
        precondition(count == 0 || base != nil, "non-empty update rows need storage")
        self.base = base
        self.count = count
        self.length = length
        self.mapped = mapped
    }

    /// A view of `buffer` as rows of `length` values; `buffer.count` must be a multiple of it.
    package init(buffer: UnsafeBufferPointer<Float>, length: Int) {
        precondition(length > 0 && buffer.count % length == 0, "the buffer must hold whole rows of \(length) values")
        self.init(base: buffer.baseAddress, count: buffer.count / length, length: length, mapped: false)
    }

    /// Row `index`: one site's update, [length].
    package func row(_ index: Int) -> UnsafeBufferPointer<Float> {
        precondition(index >= 0 && index < self.count, "row \(index) is outside 0..<\(self.count)")
        return UnsafeBufferPointer(start: self.base! + index * self.length, count: self.length)
    }

    /// Says that `columns` of every row have been read: a file mapping drops their pages from
    /// this process (the page cache keeps them, so a later read is still correct, only slower).
    /// A rule that walks the rows block by block calls this after each block, so the process's
    /// resident memory stays near one block of every row rather than growing to the whole file.
    /// Nothing happens for rows in memory.
    package func release(columns: Range<Int>) {
        guard self.mapped, let base = self.base, !columns.isEmpty, self.count > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = UnsafeMutableRawPointer(mutating: base)
        let mappedBytes = (self.count * self.length * 4 + page - 1) / page * page
        for row in 0..<self.count {
            // Rounded outwards to whole pages: a page shared with a neighbouring block is only
            // read again from the page cache, never lost (the mapping is shared and read-only).
            let first = (row * self.length + columns.lowerBound) * 4 / page * page
            let end = min(mappedBytes, ((row * self.length + columns.upperBound) * 4 + page - 1) / page * page)
            if end > first { _ = madvise(start + first, end - first, MADV_DONTNEED) }
        }
    }
}
