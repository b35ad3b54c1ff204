import FedTestSupport
import Foundation
import Testing

/// Runs the built `fedtune` binary (or python3) with input on stdin, bounded in time.
enum Command {
    static let repository = Repository.root
    static let fedtune = Repository.fedtune

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(
        _ executable: URL,
        _ arguments: [String],
        input: String = "",
        seconds: Double = 120
    ) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let (stdin, stdout, stderr) = (Pipe(), Pipe(), Pipe())
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Read both pipes on their own threads so a full pipe never blocks the child.
        final class Box: @unchecked Sendable {
            var out = Data()
            var err = Data()
        }
        let box = Box()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { box.out = stdout.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { box.err = stderr.fileHandleForReading.readDataToEndOfFile() }
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        if group.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            Issue.record("\(executable.lastPathComponent) \(arguments.joined(separator: " ")) took over \(seconds) s")
        }
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: box.out, as: UTF8.self),
            stderr: String(decoding: box.err, as: UTF8.self)
        )
    }

    static func fedtune(_ arguments: String..., input: String = "") throws -> Output {
        try self.run(self.fedtune, arguments, input: input)
    }

    static func python(_ arguments: String...) throws -> Output {
        try self.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments)
    }
}
