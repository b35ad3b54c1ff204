import FedFetch
import Foundation

/// Runs `body` with a fresh temporary folder, removed afterwards.
func withTemporaryFolder<T>(_ body: (URL) throws -> T) throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedfetch-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try body(folder)
}

/// Runs a program and fails if it exits non-zero.
func run(_ executable: String, _ arguments: [String], in folder: URL? = nil) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let folder { process.currentDirectoryURL = folder }
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(executable) \(arguments) failed"])
    }
}

/// A small archive made from `files` (path → content): a zip via Python's zipfile module
/// (python3 is what fetches need anyway), or a .tar.gz via tar, picked by `name`'s suffix.
func makeArchive(named name: String, files: [String: String], in folder: URL) throws -> URL {
    let staging = folder.appendingPathComponent("staging-\(UUID().uuidString)")
    for (path, content) in files {
        let url = staging.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: url)
    }
    let archive = folder.appendingPathComponent(name)
    let tops = Set(files.keys.map { String($0.split(separator: "/")[0]) }).sorted()
    if name.hasSuffix(".tar.gz") {
        try run("/usr/bin/env", ["tar", "-czf", archive.path] + tops, in: staging)
    } else {
        try run("/usr/bin/env", ["python3", "-m", "zipfile", "-c", archive.path] + tops, in: staging)
    }
    try FileManager.default.removeItem(at: staging)
    return archive
}

/// A stand-in for pip: a shell script that records each run in `counter`, waits a moment
/// (so concurrent fetches overlap), then copies `source` into the `--dest` folder.
func fakePip(copying source: URL, counter: URL, in folder: URL) throws -> PipCommand {
    let script = folder.appendingPathComponent("fake-pip-\(UUID().uuidString).sh")
    let text = """
        dest=""
        while [ $# -gt 0 ]; do
            if [ "$1" = "--dest" ]; then dest="$2"; fi
            shift
        done
        echo run >> "$FAKE_PIP_COUNTER"
        sleep 0.3
        cp "$FAKE_PIP_SOURCE" "$dest/"
        """
    try Data(text.utf8).write(to: script)
    return PipCommand(
        executable: "/bin/sh",
        arguments: [script.path],
        environment: ["FAKE_PIP_SOURCE": source.path, "FAKE_PIP_COUNTER": counter.path]
    )
}

/// A pip that must not be run: it fails loudly if a test reaches it.
let forbiddenPip = PipCommand(executable: "/bin/sh", arguments: ["-c", "echo 'ERROR: pip must not run here'; exit 1"])

/// How many lines `counter` holds (0 if it does not exist).
func lineCount(_ counter: URL) -> Int {
    guard let text = try? String(contentsOf: counter, encoding: .utf8) else { return 0 }
    return text.split(separator: "\n").count
}

/// The entries of a folder, or none if it does not exist.
func entries(_ folder: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
}

/// SHA-256 of a string's UTF-8 bytes, via a temporary file and the library's hasher.
func sha256(of content: String, in folder: URL) throws -> String {
    let url = folder.appendingPathComponent("hash-\(UUID().uuidString)")
    try Data(content.utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    return try SHA256File.hex(of: url)
}
