import Foundation

/// Set by the shell (Ctrl-C, SIGTERM) while a simulation runs: the federation stops after
/// the round in progress is saved, the baselines are skipped, and the run folder is still
/// written for the rounds that finished.
package final class Interruption: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false

    package init() {}

    package func request() { self.lock.withLock { self.requested = true } }

    package var isRequested: Bool { self.lock.withLock { self.requested } }
}
