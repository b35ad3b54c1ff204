import Foundation

/// A round's updates in one array: the same interface as `MappedUpdateStore` for tests and for
/// rounds small enough to hold in memory (n·L·4 bytes of RAM).
///
/// Concurrency: `values` is guarded by `lock`, which `withRows` holds while its closure runs.
package final class InMemoryUpdateStore: UpdateStore, @unchecked Sendable {
    package let length: Int
    private let lock = NSLock()
    // Guarded by `lock`.
    private var values: [Float] = []

    package init(length: Int) {
        precondition(length > 0, "updates need at least one value")
        self.length = length
    }

    /// A store holding `rows`, each of the same length.
    package convenience init(rows: [[Float]]) {
        self.init(length: rows.first?.count ?? 1)
        for row in rows { row.withUnsafeBufferPointer { _ = self.append($0) } }
    }

    package var count: Int { self.lock.withLock { self.values.count / self.length } }

    @discardableResult
    package func append(_ values: UnsafeBufferPointer<Float>) -> Int {
        precondition(values.count == self.length, "an update of \(values.count) values in a store of \(self.length)")
        return self.lock.withLock {
            self.values.append(contentsOf: values)
            return self.values.count / self.length - 1
        }
    }

    package func withRows<T>(_ body: (UpdateRows) throws -> T) rethrows -> T {
        try self.lock.withLock {
            try self.values.withUnsafeBufferPointer { try body(UpdateRows(buffer: $0, length: self.length)) }
        }
    }

    package func remove() {
        self.lock.withLock { self.values = [] }
    }
}
