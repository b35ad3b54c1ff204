import Foundation

/// Runs headless Chromium, bounded in time, for the tests that check a page the way a
/// browser (and a person) sees it: the run report and the coordinator's status page.
package struct Chromium {
    package let executable: URL

    /// The installed Chromium, or nil when none is on this machine.
    package static func find() -> Chromium? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").flatMap { directory in
            ["chromium", "chromium-browser", "google-chrome"].map { "\(directory)/\($0)" }
        }
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
        return found.map { Chromium(executable: URL(fileURLWithPath: $0)) }
    }

    package struct Run {
        package var status: Int32
        package var stdout: Data
        package var timedOut: Bool

        /// What Chromium printed, as text (the DOM with `--dump-dom`).
        package var text: String { String(decoding: self.stdout, as: UTF8.self) }
    }

    /// Runs Chromium headless with `arguments`, in a fresh profile, killing it after
    /// `timeout` seconds. Stdout goes through a file so a large DOM cannot fill a pipe.
    package func run(_ arguments: [String], timeout: TimeInterval = 60) throws -> Run {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fedreport-chromium-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("stdout")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)

        let process = Process()
        process.executableURL = self.executable
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=\(scratch.appendingPathComponent("profile").path)",
            ]
            + arguments
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()

        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let timedOut = process.isRunning
        if timedOut {
            process.terminate()
            let grace = Date().addingTimeInterval(3)
            while process.isRunning && Date() < grace { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        try handle.close()
        return Run(status: process.terminationStatus, stdout: try Data(contentsOf: output), timedOut: timedOut)
    }
}
