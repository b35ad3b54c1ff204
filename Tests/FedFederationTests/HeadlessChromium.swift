import Foundation

/// Headless Chromium for the status page test: dumps the DOM of a URL, bounded in time
/// (as Tests/FedReportTests/Chromium.swift does for report.html).
struct HeadlessChromium {
    let executable: URL

    /// The installed Chromium, or nil when none is on this machine.
    static func find() -> HeadlessChromium? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").flatMap { directory in
            ["chromium", "chromium-browser", "google-chrome"].map { "\(directory)/\($0)" }
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }.map {
            HeadlessChromium(executable: URL(fileURLWithPath: $0))
        }
    }

    struct Run {
        var status: Int32
        var dom: String
        var timedOut: Bool
    }

    /// `chromium --headless --dump-dom URL` in a fresh profile, killed after `timeout` seconds.
    func dumpDOM(_ url: String, timeout: TimeInterval = 60) throws -> Run {
        try self.run(["--dump-dom", url], timeout: timeout)
    }

    /// Paints `url` into a PNG at `png` (1280×1400), for people to look at.
    func screenshot(_ url: String, to png: URL, timeout: TimeInterval = 60) throws -> Run {
        try self.run(["--window-size=1280,1400", "--screenshot=\(png.path)", url], timeout: timeout)
    }

    private func run(_ arguments: [String], timeout: TimeInterval) throws -> Run {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-chromium-\(UUID())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("dom.html")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = self.executable
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(scratch.appendingPathComponent("profile").path)",
        ] + arguments
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let timedOut = process.isRunning
        if timedOut { process.terminate() }
        process.waitUntilExit()
        try handle.close()
        return Run(
            status: process.terminationStatus, dom: String(decoding: try Data(contentsOf: output), as: UTF8.self),
            timedOut: timedOut)
    }
}
