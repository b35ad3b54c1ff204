/// Where a round keeps every accepted update until it is aggregated: robust rules (median,
/// Krum…) need all of them at once. `MappedUpdateStore` keeps them in a memory-mapped file,
/// `InMemoryUpdateStore` in an array (for tests and small models).
///
/// Stores are classes shared by reference; each guards its own state with a lock, so one may be
/// held by a Sendable value (a round's state) and used from any task. `withRows` holds that lock
/// while its closure runs: an `append` from the closure itself would deadlock.
package protocol UpdateStore: AnyObject, Sendable {
    /// Values per update.
    var length: Int { get }
    /// Updates appended so far.
    var count: Int { get }
    /// Appends one update of `length` values and returns its row index.
    @discardableResult
    func append(_ values: UnsafeBufferPointer<Float>) throws -> Int
    /// Calls `body` with a view of every row appended so far.
    func withRows<T>(_ body: (UpdateRows) throws -> T) throws -> T
    /// Frees the storage (deletes the file); the store is unusable afterwards.
    func remove()
}

extension UpdateStore {
    /// Appends one update of `length` values and returns its row index.
    @discardableResult
    package func append(_ values: [Float]) throws -> Int {
        try values.withUnsafeBufferPointer { try self.append($0) }
    }
}
