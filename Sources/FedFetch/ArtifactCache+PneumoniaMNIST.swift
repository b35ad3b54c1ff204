import Crypto
import FedImage
import FedSupport
import Foundation

/// PneumoniaMNIST (MedMNIST v2) as published on Zenodo: one .npz, identified by the MD5
/// MedMNIST's INFO table gives.
package enum PneumoniaMNISTSource {
    package static let name = "pneumoniamnist"
    package static let url = URL(string: "https://zenodo.org/records/10519652/files/pneumoniamnist.npz?download=1")!
    package static let md5 = "28209eda62fecd6e6a2d98b1501bb15f"
    package static let summary = "5,856 chest X-rays 28x28 grey (MedMNIST v2); train/val/test, label(normal|pneumonia)"
}

extension ArtifactCache {
    /// The PneumoniaMNIST file in the cache, or nil when none was imported or fetched (or its
    /// folder is incomplete).
    package func pneumoniaMNIST() -> ImportedImageDataset? {
        let name = PneumoniaMNISTSource.name
        let folder = self.datasetFolder(named: name)
        guard let record = ImportedImageDataset.read(dataset: name, in: folder),
            let marker = VerifiedMarker.read(in: folder), marker.sha256 == record.sha256,
            FileManager.default.fileExists(atPath: record.npz.path)
        else { return nil }
        return record
    }

    /// Copies the PneumoniaMNIST .npz at `file` into the cache after checking its arrays
    /// (the six names, uint8, shapes [N, 28, 28] and [N, 1], labels 0 and 1, equal counts),
    /// and writes its SHA-256 and MD5 into `pneumoniamnist.json` beside it. A copy already
    /// there is replaced. `source` is recorded (default: the file's path).
    package func importPneumoniaMNIST(
        from file: URL,
        source: String? = nil,
        log: (String) -> Void = { _ in }
    ) throws -> ImportedImageDataset {
        let name = PneumoniaMNISTSource.name
        // Read once: the bytes checked are the bytes installed and hashed.
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw FetchError.io(path: file.path, reason: "cannot read: \(error.localizedDescription)")
        }
        log("checking the arrays of \(file.path)")
        let arrays = try NumPyArchive.read(data, file: file.path)
        try PneumoniaMNIST.check(arrays, file: file.path)
        var classCounts: [String: [Int]] = [:]
        for split in PneumoniaMNIST.splits {
            let labels = arrays["\(split)_labels"]!.bytes
            let pneumonia = labels.reduce(0) { $0 + Int($1) }
            classCounts[split] = [labels.count - pneumonia, pneumonia]
        }
        let md5 = hexString(Insecure.MD5.hash(data: data))
        var record = ImportedImageDataset(
            dataset: name,
            file: "\(name).npz",
            sha256: sha256Hex(data),
            md5: md5,
            official: md5 == PneumoniaMNISTSource.md5,
            source: source ?? file.standardizedFileURL.path,
            classCounts: classCounts,
            classNames: PneumoniaMNIST.classNames
        )
        let destination = self.datasetFolder(named: name)
        let onWait = { log("waiting for another import of \(name)") }
        try CacheLock.withLock(cache: self.root, name: "dataset-\(name)", onWait: onWait) {
            try CacheFolder.withScratch(in: self.root) { scratch in
                let output = scratch.appendingPathComponent("output", isDirectory: true)
                do {
                    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
                    try data.write(to: output.appendingPathComponent(record.file))
                    try record.json.write(to: output.appendingPathComponent(ImportedImageDataset.recordName(name)))
                } catch {
                    throw FetchError.io(path: output.path, reason: "cannot write: \(error.localizedDescription)")
                }
                let marker = VerifiedMarker(
                    artifact: record.file,
                    sha256: record.sha256,
                    format: 1,
                    files: [record.file, ImportedImageDataset.recordName(name)]
                )
                try CacheFolder.install(output, at: destination, marker: marker, scratch: scratch)
            }
        }
        record.folder = destination
        log("imported \(file.lastPathComponent) (SHA-256 \(record.sha256))")
        return record
    }

    /// The PneumoniaMNIST file: the copy in the cache if there is one, else MedMNIST's official
    /// file downloaded from Zenodo (`url`), its MD5 checked, then imported. When the network
    /// refuses, the error says so and points to `fedtune datasets import`. `download` fetches
    /// the bytes (replaceable in tests; by default HTTPS with `timeout` seconds' patience).
    package func fetchPneumoniaMNIST(
        from url: URL = PneumoniaMNISTSource.url,
        timeout: TimeInterval = 15,
        download: (URL, TimeInterval) throws -> Data = { try HTTPDownload.data(from: $0, timeout: $1) },
        log: (String) -> Void = { _ in }
    ) throws -> ImportedImageDataset {
        if let ready = self.pneumoniaMNIST() { return ready }
        let name = PneumoniaMNISTSource.name
        log("downloading \(name).npz from \(url.host ?? url.absoluteString)")
        let data: Data
        do {
            data = try download(url, timeout)
        } catch {
            let reason = (error as? DownloadFailure)?.reason ?? "\(error)"
            throw ImageDatasetError.downloadFailed(dataset: name, url: url.absoluteString, reason: reason)
        }
        let md5 = hexString(Insecure.MD5.hash(data: data))
        guard md5 == PneumoniaMNISTSource.md5 else {
            throw ImageDatasetError.md5Mismatch(
                dataset: name,
                url: url.absoluteString,
                expected: PneumoniaMNISTSource.md5,
                actual: md5
            )
        }
        return try CacheFolder.withScratch(in: self.root) { scratch in
            let file = scratch.appendingPathComponent("\(name).npz")
            do {
                try data.write(to: file)
            } catch {
                throw FetchError.io(path: file.path, reason: "cannot write: \(error.localizedDescription)")
            }
            return try self.importPneumoniaMNIST(from: file, source: url.absoluteString, log: log)
        }
    }
}
