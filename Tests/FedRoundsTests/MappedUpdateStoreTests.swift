import FedSupport
import Foundation
import Testing

@testable import FedRounds

struct MappedUpdateStoreTests {
    /// A fresh folder under the system's temporary directory.
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-updates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func rowsReadBackAsWrittenAndTheFileIsRemovedAfter() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try MappedUpdateStore(folder: folder, name: "round-1", length: 3)

        let first = try store.append([1, 2, 3])
        let second = try store.append([-4, 5.5, 0])
        let rows = try store.withRows { rows in (0..<rows.count).map { Array(rows.row($0)) } }
        var block = [Float](repeating: 0, count: 4)
        try store.withRows { rows in
            block.withUnsafeMutableBufferPointer { rows.read(columns: 1..<3, into: $0.baseAddress!) }
        }
        let existed = FileManager.default.fileExists(atPath: folder.appendingPathComponent("round-1.updates").path)
        store.remove()

        #expect((first, second) == (0, 1))
        #expect(store.count == 2)
        #expect(rows == [[1, 2, 3], [-4, 5.5, 0]])
        #expect(block == [2, 3, 5.5, 0])
        #expect(existed)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func droppingTheStoreRemovesItsFile() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }

        do {
            let store = try MappedUpdateStore(folder: folder, name: "round-2", length: 4)
            try store.append([1, 2, 3, 4])
            #expect(FileManager.default.fileExists(atPath: store.url.path))
        }

        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func staleUpdateFilesAreRemovedAndOthersKept() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(count: 1024).write(to: folder.appendingPathComponent("round-7.updates"))
        try Data("{}".utf8).write(to: folder.appendingPathComponent("rounds.jsonl"))

        let removed = MappedUpdateStore.removeStale(in: folder)
        // A store reopened under a crashed round's name starts empty.
        try Data(count: 1024).write(to: folder.appendingPathComponent("round-8.updates"))
        let reopened = try MappedUpdateStore(folder: folder, name: "round-8", length: 2)

        #expect(removed == 1)
        #expect(reopened.count == 0)
        #expect(try reopened.withRows { $0.count } == 0)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
                == ["round-8.updates", "rounds.jsonl"]
        )
    }

    @Test func refusesAnUpdateOfTheWrongLengthAndAMissingFolder() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try MappedUpdateStore(folder: folder, name: "round-3", length: 3)

        #expect(throws: UpdateStoreError.wrongLength(path: store.url.path, expected: 3, found: 2)) {
            try store.append([1, 2])
        }
        #expect(store.count == 0)
        let missing = folder.appendingPathComponent("absent")
        #expect(
            throws: UpdateStoreError.cannotCreate(
                path: missing.appendingPathComponent("round-1.updates").path,
                reason: "No such file or directory"
            )
        ) { try MappedUpdateStore(folder: missing, name: "round-1", length: 3) }
    }

    @Test func aFullDiskIsNamedWithTheFile() {
        let error = UpdateStoreError.diskFull(path: "/state/round-4.updates", bytes: 64 << 20)

        #expect(
            error.description == "the disk holding /state/round-4.updates is full: the round's updates need "
                + "64 MiB more; free space there, or sample fewer sites per round"
        )
    }

    /// 1,000 updates of 100,000 values (400 MB, several growth steps of the file) are stored
    /// and aggregated by the trimmed mean while the process's resident memory grows by far less
    /// than the file: rows are written with pwrite and read block by block with pread.
    @Test func aRoundLargerThanMemoryBudgetStaysOnDisk() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (n, length) = (1_000, 100_000)
        ProcessMemory.releaseFreedMemory()
        ProcessMemory.resetPeak()
        let baseline = try #require(ProcessMemory.current())
        let store = try MappedUpdateStore(folder: folder, name: "round-5", length: length)
        var row = [Float](repeating: 0, count: length)

        for site in 0..<n {
            // Site s sends s/1000 + c/length; sites 990… send 1,000 (hostile).
            for c in 0..<length { row[c] = site >= 990 ? 1_000 : Float(site) / 1_000 + Float(c) / Float(length) }
            try store.append(row)
        }
        let fileBytes = try #require(
            try FileManager.default.attributesOfItem(atPath: store.url.path)[.size] as? Int
        )
        let average = try store.withRows {
            try RobustAggregation.aggregate($0, weights: Array(repeating: 1, count: n), rule: .trimmedMean(beta: 0.1))
        }.average
        let peak = try #require(ProcessMemory.current()).peakResident
        store.remove()

        #expect(fileBytes >= n * length * 4)
        // Trimming 100 at each end leaves sites 100…899: mean s/1000 = 0.4995, plus c/length.
        for c in [0, 12_345, 99_999] {
            #expect(abs(average[c] - (0.4995 + Float(c) / Float(length))) < 1e-5)
        }
        let grown = peak - baseline.resident
        print(
            "mapped store: \(n) × \(length) floats, file \(fileBytes >> 20) MiB, peak resident growth \(grown >> 20) MiB"
        )
        #expect(grown < 100 << 20)
        #expect(!FileManager.default.fileExists(atPath: store.url.path))
    }
}
