import Foundation

/// Places in the repository that test suites share: its root, the debug `fedtune` binary the
/// process tests start, and the scenarios folder.
package enum Repository {
    /// The repository's root folder (this file is Tests/FedTestSupport/Repository.swift).
    package static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `fedtune` executable `swift build --build-tests` leaves in .build/debug.
    package static let fedtune = Self.root.appendingPathComponent(".build/debug/fedtune")

    /// scenarios/NAME.yaml.
    package static func scenario(_ name: String) -> URL {
        Self.root.appendingPathComponent("scenarios/\(name).yaml")
    }
}

/// A fresh folder under the system's temporary directory, named `prefix-UUID`; the caller
/// removes it (`defer { folder.remove() }`).
package struct TemporaryFolder: Sendable {
    package let url: URL

    package init(_ prefix: String = "fedtune") throws {
        self.url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: true)
    }

    package func remove() {
        try? FileManager.default.removeItem(at: self.url)
    }
}

/// Runs CPU-heavy or blocking test work (training, a whole simulation, waiting for child
/// processes) on threads of its own, not on Swift concurrency's cooperative pool: that pool
/// has one thread per core, and a test holding them would starve the coordinators and
/// sites other tests run concurrently until their timeouts fire. The work stays part of the
/// calling task (its expectations are recorded for the test as usual).
package func offThePool<T: Sendable>(_ body: () async throws -> T) async throws -> T {
    try await withTaskExecutorPreference(ThreadPerJobExecutor.shared) { try await body() }
}

/// A task executor that runs each job on a fresh thread.
package final class ThreadPerJobExecutor: TaskExecutor {
    package static let shared = ThreadPerJobExecutor()

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = self.asUnownedTaskExecutor()
        let thread = Thread { job.runSynchronously(on: executor) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
