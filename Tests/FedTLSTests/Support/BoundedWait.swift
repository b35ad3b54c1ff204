import NIOCore

/// The harness gave up waiting; every network wait in these tests is bounded by this.
struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(self.what)" }
}

/// Awaits `future` for at most `seconds`: a scheduled task fails a relay promise, so a test that would hang
/// fails instead (a future's `get()` cannot be cancelled, so racing it against `Task.sleep` would not do).
func boundedWait<Value: Sendable>(
    _ future: EventLoopFuture<Value>,
    seconds: Int64 = 10,
    what: String
) async throws -> Value {
    let relay = future.eventLoop.makePromise(of: Value.self)
    future.cascade(to: relay)
    let timer = future.eventLoop.scheduleTask(in: .seconds(seconds)) { relay.fail(TimedOut(what: what)) }
    defer { timer.cancel() }
    return try await relay.futureResult.get()
}
