import FedFetch
import Foundation
import Testing

/// The cache's download, check and unpack paths on small fake artifacts: a file copied in
/// by hand, SHA-256 mismatches, pip failures, concurrent fetches, and re-conversion.
struct ArtifactCacheTests {
    static let wheelName = "fake_model-0.1.0-py3-none-any.whl"
    static let modelFiles = [
        "fake_model/model/config.json": "{\"hidden_size\": 4}\n",
        "fake_model/model/vocab.txt": "[PAD]\n[UNK]\nhello\n",
        "fake_model/model/1_Pooling/config.json": "{}\n",
        "fake_model/__init__.py": "",
    ]

    /// A model catalog with one fake model whose artifact is `archive`; `sha256` overrides
    /// the archive's real hash to provoke a mismatch.
    static func catalog(for archive: URL, sha256: String? = nil, in folder: URL) throws -> ModelCatalog {
        ModelCatalog([
            ModelEntry(
                name: "fake-model",
                artifact: Artifact(
                    requirement: "fake-model==0.1.0",
                    fileName: archive.lastPathComponent,
                    sha256: try sha256 ?? SHA256File.hex(of: archive)
                ),
                folder: "fake_model/model",
                fileHashes: [
                    "vocab.txt": try FedFetchTests.sha256(of: modelFiles["fake_model/model/vocab.txt"]!, in: folder)
                ],
                summary: "a fake model for tests"
            )
        ])
    }

    @Test func fileCopiedInByHandIsUsedWithoutPip() throws {
        try withTemporaryFolder { folder in
            let archive = try makeArchive(named: Self.wheelName, files: Self.modelFiles, in: folder)
            let root = folder.appendingPathComponent("cache")
            let cache = ArtifactCache(root: root, models: try Self.catalog(for: archive, in: folder), pip: forbiddenPip)
            try FileManager.default.createDirectory(at: cache.downloads, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: archive, to: cache.downloads.appendingPathComponent(Self.wheelName))

            let model = try cache.model(named: "fake-model")

            #expect(model.path == root.appendingPathComponent("models/fake-model").path)
            #expect(
                try String(contentsOf: model.appendingPathComponent("vocab.txt"), encoding: .utf8)
                    == "[PAD]\n[UNK]\nhello\n"
            )
            #expect(FileManager.default.fileExists(atPath: model.appendingPathComponent("1_Pooling/config.json").path))
            #expect(entries(root.appendingPathComponent("tmp")).isEmpty)

            // Later fetches use the verified folder alone: no artifact, no pip.
            try FileManager.default.removeItem(at: cache.downloads.appendingPathComponent(Self.wheelName))
            #expect(try cache.model(named: "fake-model") == model)
            #expect(cache.modelListing().map(\.folder) == [model])
        }
    }

    @Test func mismatchedFileCopiedInByHandIsRefusedAndLeftAlone() throws {
        try withTemporaryFolder { folder in
            let archive = try makeArchive(named: Self.wheelName, files: Self.modelFiles, in: folder)
            let actual = try SHA256File.hex(of: archive)
            let pinned = String(repeating: "ab", count: 32)
            let root = folder.appendingPathComponent("cache")
            let cache = ArtifactCache(
                root: root,
                models: try Self.catalog(for: archive, sha256: pinned, in: folder),
                pip: forbiddenPip
            )
            let dropped = cache.downloads.appendingPathComponent(Self.wheelName)
            try FileManager.default.createDirectory(at: cache.downloads, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: archive, to: dropped)

            let error = #expect(throws: FetchError.self) { try cache.model(named: "fake-model") }

            guard case .checksumMismatch(let path, let expected, let found, _) = error else {
                Issue.record("expected a checksum mismatch, got \(String(describing: error))")
                return
            }
            #expect(path == dropped.path)
            #expect(expected == pinned && found == actual)
            let message = "\(error!)"
            #expect(message.contains(dropped.path) && message.contains(pinned) && message.contains(actual))
            #expect(message.contains("delete it"))
            #expect(!FileManager.default.fileExists(atPath: cache.modelFolder(named: "fake-model").path))
            #expect(entries(root.appendingPathComponent("tmp")).isEmpty)
            #expect(FileManager.default.fileExists(atPath: dropped.path), "the user's file is not deleted")
        }
    }

    @Test func mismatchedDownloadIsDiscarded() throws {
        try withTemporaryFolder { folder in
            let source = folder.appendingPathComponent("index")
            try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
            let archive = try makeArchive(named: Self.wheelName, files: Self.modelFiles, in: source)
            let pinned = String(repeating: "0", count: 64)
            let root = folder.appendingPathComponent("cache")
            let counter = folder.appendingPathComponent("pip-runs")
            let cache = ArtifactCache(
                root: root,
                models: try Self.catalog(for: archive, sha256: pinned, in: folder),
                pip: try fakePip(copying: archive, counter: counter, in: folder)
            )

            let error = #expect(throws: FetchError.self) { try cache.model(named: "fake-model") }

            let message = "\(error!)"
            #expect(message.contains(Self.wheelName) && message.contains(pinned))
            #expect(message.contains(try SHA256File.hex(of: archive)))
            #expect(message.contains("discarded"))
            #expect(lineCount(counter) == 1)
            #expect(entries(cache.downloads).isEmpty)
            #expect(entries(root.appendingPathComponent("tmp")).isEmpty)
            #expect(entries(root.appendingPathComponent("models")).isEmpty)
        }
    }

    @Test func modelFileWithWrongHashIsRefused() throws {
        try withTemporaryFolder { folder in
            let archive = try makeArchive(named: Self.wheelName, files: Self.modelFiles, in: folder)
            let root = folder.appendingPathComponent("cache")
            let good = try Self.catalog(for: archive, in: folder).entries[0]
            let wrong = String(repeating: "1", count: 64)
            let catalog = ModelCatalog([
                ModelEntry(
                    name: good.name,
                    artifact: good.artifact,
                    folder: good.folder,
                    fileHashes: ["vocab.txt": wrong],
                    summary: good.summary
                )
            ])
            let cache = ArtifactCache(root: root, models: catalog, pip: forbiddenPip)
            try FileManager.default.createDirectory(at: cache.downloads, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: archive, to: cache.downloads.appendingPathComponent(Self.wheelName))

            let error = #expect(throws: FetchError.self) { try cache.model(named: "fake-model") }

            let message = "\(error!)"
            #expect(message.contains("fake_model/model/vocab.txt") && message.contains(wrong))
            #expect(message.contains(good.fileHashes["vocab.txt"]!))
            #expect(entries(root.appendingPathComponent("models")).isEmpty)
            #expect(entries(root.appendingPathComponent("tmp")).isEmpty)
        }
    }

    @Test func downloadedArtifactIsVerifiedKeptAndReused() throws {
        try withTemporaryFolder { folder in
            let source = folder.appendingPathComponent("index")
            try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
            let archive = try makeArchive(named: Self.wheelName, files: Self.modelFiles, in: source)
            let root = folder.appendingPathComponent("cache")
            let counter = folder.appendingPathComponent("pip-runs")
            var logged: [String] = []
            let cache = ArtifactCache(
                root: root,
                models: try Self.catalog(for: archive, in: folder),
                pip: try fakePip(copying: archive, counter: counter, in: folder)
            )

            let model = try cache.model(named: "fake-model") { logged.append($0) }
            // Removing the model folder forces an unpack from the kept artifact, without pip.
            try FileManager.default.removeItem(at: model)
            _ = try cache.model(named: "fake-model")

            #expect(lineCount(counter) == 1)
            #expect(entries(cache.downloads) == [Self.wheelName])
            #expect(logged.contains { $0.hasPrefix("downloading fake-model==0.1.0 from PyPI") })
            #expect(FileManager.default.fileExists(atPath: model.appendingPathComponent("config.json").path))
        }
    }

    @Test func concurrentFetchesDownloadOnceAndAgree() throws {
        try withTemporaryFolder { folder in
            let source = folder.appendingPathComponent("index")
            try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
            let archive = try makeArchive(named: Self.wheelName, files: Self.modelFiles, in: source)
            let counter = folder.appendingPathComponent("pip-runs")
            let cache = ArtifactCache(
                root: folder.appendingPathComponent("cache"),
                models: try Self.catalog(for: archive, in: folder),
                pip: try fakePip(copying: archive, counter: counter, in: folder)
            )
            let results = Results()

            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                results.append(Result { try cache.model(named: "fake-model").path })
            }

            let paths = try results.all.map { try $0.get() }
            #expect(paths.count == 4 && Set(paths) == [cache.modelFolder(named: "fake-model").path])
            #expect(lineCount(counter) == 1)
        }
    }

    @Test func unreachableIndexSaysWhatFailedAndHowToCopyTheFileIn() throws {
        try withTemporaryFolder { folder in
            let root = folder.appendingPathComponent("cache")
            let artifact = Artifact(
                requirement: "fedtune-no-such-package==0.0.1",
                fileName: "fedtune_no_such_package-0.0.1-py3-none-any.whl",
                sha256: String(repeating: "0", count: 64)
            )
            // Port 9 (discard) on loopback: nothing listens, so every connection is refused at once.
            let pip = PipCommand(
                executable: "/usr/bin/env",
                arguments: ["python3", "-m", "pip"],
                environment: ["PIP_INDEX_URL": "http://127.0.0.1:9/simple/", "PIP_RETRIES": "1", "PIP_TIMEOUT": "5"]
            )
            let cache = ArtifactCache(root: root, pip: pip)

            let error = #expect(throws: FetchError.self) { try cache.archive(artifact) }

            guard case .downloadFailed(let requirement, let output, _, _) = error else {
                Issue.record("expected a download failure, got \(String(describing: error))")
                return
            }
            #expect(requirement == "fedtune-no-such-package==0.0.1")
            #expect(output.hasPrefix("network: [Errno 111] Connection refused | ERROR: "))
            let message = "\(error!)"
            #expect(message.hasPrefix("could not download fedtune-no-such-package==0.0.1 from PyPI: "))
            #expect(
                message.hasSuffix(
                    "check network access to pypi.org or copy \(artifact.fileName) into \(cache.downloads.path)/"
                )
            )
            #expect(entries(cache.downloads).isEmpty)
            #expect(entries(root.appendingPathComponent("tmp")).isEmpty)
        }
    }

    @Test func missingPythonSaysPipCannotRun() throws {
        try withTemporaryFolder { folder in
            let cache = ArtifactCache(
                root: folder,
                pip: PipCommand(executable: "/nonexistent/python3", arguments: ["-m", "pip"])
            )
            let artifact = Artifact(requirement: "x==1", fileName: "x-1-py3-none-any.whl", sha256: "00")

            let error = #expect(throws: FetchError.self) { try cache.archive(artifact) }

            let message = "\(error!)"
            #expect(message.hasPrefix("could not run pip (/nonexistent/python3 -m pip): "))
            #expect(message.contains("copy x-1-py3-none-any.whl into \(cache.downloads.path)/"))
        }
    }

    @Test func unknownNamesListTheKnownOnes() {
        let cache = ArtifactCache(root: URL(fileURLWithPath: "/nonexistent"), pip: forbiddenPip)

        #expect(throws: FetchError.unknownModel(name: "gpt-5", known: ["all-MiniLM-L6-v2", "efficientnet-lite0"])) {
            try cache.model(named: "gpt-5")
        }
        #expect(
            throws: FetchError.unknownDataset(
                name: "mnist",
                known: [
                    "tweets-sentiment", "bbc-news", "breast-cancer", "digits", "creditcard-fraud", "amazon-reviews",
                    "pneumoniamnist",
                ]
            )
        ) {
            try cache.dataset(named: "mnist")
        }
    }

    @Test func defaultRootIsTheEnvironmentsCacheElseHomeCache() {
        #expect(
            ArtifactCache.defaultRoot(environment: ["FEDTUNE_CACHE": "/srv/cache", "HOME": "/home/a"]).path
                == "/srv/cache"
        )
        #expect(ArtifactCache.defaultRoot(environment: ["HOME": "/home/a"]).path == "/home/a/.cache/fedtune")
        #expect(
            ArtifactCache.defaultRoot(environment: ["FEDTUNE_CACHE": "", "HOME": "/home/a"]).path
                == "/home/a/.cache/fedtune"
        )
        #expect(ArtifactCache.root(option: "/tmp/c").path == "/tmp/c")
    }
}

/// Results gathered from concurrent threads.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<String, any Error>] = []

    func append(_ result: Result<String, any Error>) {
        self.lock.lock()
        defer { self.lock.unlock() }
        self.results.append(result)
    }

    var all: [Result<String, any Error>] {
        self.lock.lock()
        defer { self.lock.unlock() }
        return self.results
    }
}
