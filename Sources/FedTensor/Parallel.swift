import Dispatch
import Foundation

/// Splits elementwise and per-row work across the machine's cores. OpenBLAS parallelises
/// the large matrix products itself; the work between them (softmax, GELU, LayerNorm,
/// per-head attention products) would otherwise run on one core while the others wait.
package enum Parallel {
    /// Worker count: as many as OpenBLAS may use, so one setting (`BLAS.setThreadCount`, or
    /// OPENBLAS_NUM_THREADS) caps both — a simulated site process uses one core in all.
    package static var workers: Int {
        Swift.max(1, Swift.min(BLAS.threadCount, ProcessInfo.processInfo.activeProcessorCount))
    }

    /// Calls `body` on contiguous sub-ranges of 0..<count, concurrently when there are at least
    /// `minimum` items per worker; each index is covered exactly once.
    package static func forEachChunk(_ count: Int, minimum: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunks = Swift.min(self.workers, count / Swift.max(minimum, 1))
        // (workers reads OpenBLAS's setting each call: a few nanoseconds.)
        guard chunks > 1 else {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = count * chunk / chunks
                let end = count * (chunk + 1) / chunks
                box.value(start..<end)
            }
        }
    }
}

/// Carries a closure that only touches disjoint parts of shared buffers into concurrent work.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
