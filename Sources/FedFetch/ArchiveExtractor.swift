import Foundation
import ZIPFoundation

/// Copies chosen files or folders out of a downloaded archive: wheels and zips with
/// ZIPFoundation (CRC-checked), `.tar.gz` sdists with the system `tar`.
enum ArchiveExtractor {
    /// Extracts every entry whose path is one of `members` or lies under one of them (a
    /// folder) into `destination`, keeping the paths as they are in the archive.
    static func extract(_ archive: URL, members: [String], to destination: URL) throws {
        let name = archive.lastPathComponent
        if name.hasSuffix(".whl") || name.hasSuffix(".zip") {
            try self.extractZip(archive, members: members, to: destination)
        } else if name.hasSuffix(".tar.gz") || name.hasSuffix(".tgz") {
            try self.extractTar(archive, members: members, to: destination)
        } else {
            throw FetchError.unreadableArchive(path: archive.path, reason: "not a .whl, .zip or .tar.gz file")
        }
    }

    private static func extractZip(_ url: URL, members: [String], to destination: URL) throws {
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw FetchError.unreadableArchive(path: url.path, reason: "not a zip file (\(error))")
        }
        for member in members {
            var found = false
            for entry in archive where entry.type == .file && self.path(entry.path, isUnder: member) {
                guard self.isSafe(entry.path) else {
                    throw FetchError.unreadableArchive(
                        path: url.path,
                        reason: "entry '\(entry.path)' leaves its folder"
                    )
                }
                found = true
                do {
                    _ = try archive.extract(entry, to: destination.appendingPathComponent(entry.path))
                } catch {
                    throw FetchError.unreadableArchive(path: url.path, reason: "entry '\(entry.path)': \(error)")
                }
            }
            guard found else { throw FetchError.missingInArchive(archive: url.path, member: member) }
        }
    }

    private static func extractTar(_ url: URL, members: [String], to destination: URL) throws {
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tar", "-xzf", url.path, "-C", destination.path, "--"] + members
        let errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw FetchError.unreadableArchive(path: url.path, reason: "cannot run tar: \(error.localizedDescription)")
        }
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        for member in members
        where !FileManager.default.fileExists(atPath: destination.appendingPathComponent(member).path) {
            throw FetchError.missingInArchive(archive: url.path, member: member)
        }
        guard process.terminationStatus == 0 else {
            let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw FetchError.unreadableArchive(path: url.path, reason: "tar failed: \(text)")
        }
    }

    /// `path` is `member` itself or inside the folder `member`.
    static func path(_ path: String, isUnder member: String) -> Bool {
        let folder = member.hasSuffix("/") ? member : member + "/"
        return path == member || path.hasPrefix(folder)
    }

    /// A relative path with no `..` component, so extraction stays inside the destination.
    static func isSafe(_ path: String) -> Bool {
        !path.hasPrefix("/") && !path.split(separator: "/").contains("..")
    }
}
