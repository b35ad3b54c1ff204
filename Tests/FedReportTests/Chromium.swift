import Foundation
import Testing

/// Runs headless Chromium on a file, bounded in time, for the tests that check the report
/// the way a browser (and a person) sees it.
struct Chromium {
    let executable: URL

    /// The installed Chromium, or nil when none is on this machine.
    static func find() -> Chromium? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").flatMap { directory in
            ["chromium", "chromium-browser", "google-chrome"].map { "\(directory)/\($0)" }
        }
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
        return found.map { Chromium(executable: URL(fileURLWithPath: $0)) }
    }

    /// The installed Chromium; records a failure naming the fix when it is missing.
    static func required(sourceLocation: SourceLocation = #_sourceLocation) -> Chromium? {
        if let chromium = self.find() { return chromium }
        Issue.record(
            "chromium is not installed: run scripts/install-deps --test (it installs Debian's chromium package)",
            sourceLocation: sourceLocation
        )
        return nil
    }

    struct Run {
        var status: Int32
        var stdout: Data
        var timedOut: Bool
    }

    /// Runs Chromium headless with `arguments`, in a fresh profile, killing it after
    /// `timeout` seconds. Stdout goes through a file so a large DOM cannot fill a pipe.
    func run(_ arguments: [String], timeout: TimeInterval = 60) throws -> Run {
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
