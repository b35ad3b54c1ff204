import FedReport
import Foundation

extension RunEnvironment {
    /// The fedtune release (`fedtune --version` prints it with the build's commit).
    static let release = "0.4"

    /// This process's environment: the release, the commit of the checkout the running
    /// binary sits in (asked of git at run time, "unknown" when there is no checkout or no
    /// git), the CPU model from /proc/cpuinfo and the threads the process may use.
    static func current() -> RunEnvironment {
        RunEnvironment(
            version: self.release,
            commit: self.commit(),
            cpu: self.cpuModel(),
            threads: ProcessInfo.processInfo.activeProcessorCount,
            system: self.system()
        )
    }

    /// The short commit of the checkout that holds the running executable, with "+changes"
    /// when tracked files differ from it, as the build's version stamp writes it.
    static func commit(near executable: URL = Bundle.main.executableURL ?? URL(fileURLWithPath: "/proc/self/exe"))
        -> String
    {
        let folder = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        guard let commit = self.git(["rev-parse", "--short=12", "HEAD"], in: folder), !commit.isEmpty else {
            return "unknown"
        }
        let changes = self.git(["status", "--porcelain", "--untracked-files=no"], in: folder) ?? ""
        return changes.isEmpty ? commit : commit + "+changes"
    }

    /// git's trimmed output, or nil when git is missing or fails (not a checkout).
    private static func git(_ arguments: [String], in folder: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", folder.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The first "model name" of /proc/cpuinfo; "unknown" where there is none.
    static func cpuModel(cpuinfo: URL = URL(fileURLWithPath: "/proc/cpuinfo")) -> String {
        guard let text = try? String(contentsOf: cpuinfo, encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }

    private static func system() -> String {
        let version = ProcessInfo.processInfo.operatingSystemVersion
        #if os(Linux)
        let name = "Linux"
        #else
        let name = "macOS"
        #endif
        return "\(name) \(version.majorVersion).\(version.minorVersion).\(version.patchVersion)"
    }
}
