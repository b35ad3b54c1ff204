import FedSupport
import FedTestSupport
import FedTorch
import Foundation
import Testing

/// Pickles that would run code under Python are refused by the global's name, and truncated,
/// corrupted or arbitrary bytes end in a `TorchCheckpointError`, never a crash.
struct HostileCheckpointTests {
    /// The error reading `url` throws, failing the test when it reads or throws another type.
    func refusal(_ url: URL) -> TorchCheckpointError? {
        #expect(throws: TorchCheckpointError.self) { try TorchCheckpoint.read(contentsOf: url) }
    }

    @Test(arguments: [
        ("malicious.pkl", "posix.system"),
        ("malicious_eval.pkl", "builtins.eval"),
        ("malicious_zip.pt", "posix.system"),
    ])
    func codeExecutingGlobalsAreRefusedByName(file: String, global: String) throws {
        let marker = URL(fileURLWithPath: "/tmp/fedtune-pwned-by-checkpoint")
        try? FileManager.default.removeItem(at: marker)

        let error = self.refusal(TorchFixtures.url(file))

        guard case .refusedGlobal(let path, _, let name)? = error else {
            Issue.record("expected a refused global, got \(String(describing: error))")
            return
        }
        #expect(name == global)
        #expect(path.hasSuffix(file) || path.contains(file + " ("), "\(path)")
        #expect("\(error!)".contains("'\(global)'"))
        // malicious_zip.pt would touch this file under torch.load.
        #expect(!FileManager.default.fileExists(atPath: marker.path))
    }

    @Test func aTruncatedLegacyFileNamesTheStorage() throws {
        let error = self.refusal(TorchFixtures.url("legacy_truncated.pth"))

        guard case .truncated(_, let detail)? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(detail.contains("storage '9'"), "\(detail)")
        #expect("\(error!)".contains("legacy_truncated.pth"))
    }

    @Test func aWrongElementCountIsACorruptedStorage() throws {
        let error = self.refusal(TorchFixtures.url("legacy_bad_count.pth"))

        #expect(error?.description.contains("storage '2' is corrupted") == true, "\(String(describing: error))")
        #expect(error?.description.contains("says 4 elements, the state dict says 3") == true)
    }

    @Test func aShortZipRecordNamesTheTensor() throws {
        let error = self.refusal(TorchFixtures.url("zip_bad_size.pt"))

        guard case .corruptedStorage(_, let storage, let detail)? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(storage == "0")
        #expect(detail.contains("bad/data/0 holds 93 bytes") && detail.contains("'conv.weight'"), "\(detail)")
    }

    /// Every prefix of both fixture layouts is refused with a checkpoint error.
    @Test(arguments: ["legacy.pth", "zip.pt"])
    func everyTruncationIsRefused(file: String) async throws {
        try await offThePool {
            let folder = try TemporaryFolder("fedtorch-truncated")
            defer { folder.remove() }
            let bytes = try Data(contentsOf: TorchFixtures.url(file))
            let cut = folder.url.appendingPathComponent(file)

            for length in 0..<bytes.count {
                try bytes.prefix(length).write(to: cut)
                #expect(throws: TorchCheckpointError.self, "\(length) bytes") {
                    try TorchCheckpoint.read(contentsOf: cut)
                }
            }
        }
    }

    /// Seeded byte changes in both layouts either read or are refused; none crashes.
    @Test(arguments: ["legacy.pth", "zip.pt"])
    func flippedBytesNeverCrash(fixture: String) async throws {
        try await offThePool {
            let folder = try TemporaryFolder("fedtorch-flipped")
            defer { folder.remove() }
            let original = [UInt8](try Data(contentsOf: TorchFixtures.url(fixture)))
            let file = folder.url.appendingPathComponent("flipped-" + fixture)
            var generator = SplitMix(seed: 12)
            var refused = 0

            for _ in 0..<2000 {
                var bytes = original
                for _ in 0..<(1 + Int(generator.next() % 3)) {
                    let position = Int(generator.next() % UInt64(bytes.count))
                    bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                }
                try Data(bytes).write(to: file)
                do {
                    _ = try TorchCheckpoint.read(contentsOf: file)
                } catch is TorchCheckpointError {
                    refused += 1
                }
            }

            #expect(refused > 200, "only \(refused) of 2000 corrupted files were refused")
        }
    }

    @Test func otherFilesAreNotCheckpoints() throws {
        let folder = try TemporaryFolder("fedtorch-other")
        defer { folder.remove() }
        let text = folder.url.appendingPathComponent("notes.bin")
        try Data("hello, world".utf8).write(to: text)
        let plain = folder.url.appendingPathComponent("plain.pkl")
        // pickle.dumps({'a': 1}, protocol=2): a pickle, but not torch.save's.
        try Data([0x80, 0x02, 0x7D, 0x71, 0x00, 0x58, 0x01, 0, 0, 0, 0x61, 0x71, 0x01, 0x4B, 0x01, 0x73, 0x2E])
            .write(to: plain)

        #expect(self.refusal(text)?.description.contains("starts with bytes 68 65 6c 6c") == true)
        #expect(self.refusal(plain)?.description.contains("magic number") == true)
        #expect(
            self.refusal(folder.url.appendingPathComponent("absent.pth"))?.description.contains("cannot read") == true
        )
    }
}

/// A small seeded generator (SplitMix64) for the corruption sweep.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
