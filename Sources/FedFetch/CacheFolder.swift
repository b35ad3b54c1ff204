import Foundation

/// The record a finished folder in the cache holds (`.fedtune-verified`): which artifact it
/// came from, by file name and the SHA-256 that was checked, the converter's format, and the
/// files it holds. A folder whose marker matches the catalog is used as it is, with no
/// network and no hashing; any other is rebuilt.
struct VerifiedMarker: Codable, Equatable {
    static let fileName = ".fedtune-verified"

    var artifact: String
    var sha256: String
    var format: Int
    var files: [String]

    /// Whether this marker was written for `artifact` by a converter of `format`.
    func matches(_ artifact: Artifact, format: Int) -> Bool {
        self.artifact == artifact.fileName && self.sha256 == artifact.sha256 && self.format == format
    }

    /// The marker in `folder`, or nil if there is none or it cannot be read.
    static func read(in folder: URL) -> VerifiedMarker? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(self.fileName)) else { return nil }
        return try? JSONDecoder().decode(VerifiedMarker.self, from: data)
    }

    func write(in folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = folder.appendingPathComponent(VerifiedMarker.fileName)
        do {
            try encoder.encode(self).write(to: url)
        } catch {
            throw FetchError.io(path: url.path, reason: "cannot write the marker: \(error.localizedDescription)")
        }
    }
}

/// Scratch space and the final rename: everything is built in `<cache>/tmp/<uuid>/` (same file
/// system as its destination) and only a complete folder, marker included, is renamed into
/// place, so a reader never sees a half-written model or dataset.
enum CacheFolder {
    /// Runs `body` with a fresh folder under `<cache>/tmp/`, removed afterwards whatever happens.
    static func withScratch<T>(in cache: URL, _ body: (URL) throws -> T) throws -> T {
        let scratch = cache.appendingPathComponent("tmp", isDirectory: true)
            .appendingPathComponent(UUID().uuidString, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        } catch {
            throw FetchError.io(
                path: scratch.path,
                reason: "cannot create a scratch folder: \(error.localizedDescription)"
            )
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        return try body(scratch)
    }

    /// Writes `marker` into `folder` and renames `folder` to `destination`. An old folder
    /// at `destination` (no marker, or one for another artifact or format) is moved into
    /// `scratch` and dropped with it; if another process installed a matching folder
    /// meanwhile, that one is kept and `folder` is dropped.
    static func install(_ folder: URL, at destination: URL, marker: VerifiedMarker, scratch: URL) throws {
        try marker.write(in: folder)
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            if manager.fileExists(atPath: destination.path) {
                if VerifiedMarker.read(in: destination) == marker { return }
                try manager.moveItem(at: destination, to: scratch.appendingPathComponent("stale-\(UUID().uuidString)"))
            }
        } catch {
            throw FetchError.io(path: destination.path, reason: "cannot make room: \(error.localizedDescription)")
        }
        if rename(folder.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            if VerifiedMarker.read(in: destination) == marker { return }
            throw FetchError.io(path: destination.path, reason: "cannot move the finished folder into place: \(reason)")
        }
    }
}
