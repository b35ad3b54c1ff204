import FedTestSupport
import Foundation
import Testing

/// `fedtune datasets import|fetch|list` for PneumoniaMNIST, run as a user would from the
/// repository root with the shared copy at ../shared/datasets/pneumoniamnist.npz.
struct ImageDatasetCommandTests {
    static let shared = Repository.root.appendingPathComponent("../shared/datasets/pneumoniamnist.npz")
        .standardizedFileURL

    @Test func importPrintsTheHashAndCountsThenFetchAndListUseTheCache() throws {
        guard FileManager.default.fileExists(atPath: Self.shared.path) else {
            print("skipped: \(Self.shared.path) is absent")
            return
        }
        let cache = try TemporaryFolder("fedtune-images")
        defer { cache.remove() }

        let imported = try Command.fedtune(
            "datasets",
            "import",
            "pneumoniamnist",
            Self.shared.path,
            "--cache",
            cache.url.path
        )
        let fetched = try Command.fedtune("datasets", "fetch", "pneumoniamnist", "--cache", cache.url.path)
        let listed = try Command.fedtune("datasets", "list", "--cache", cache.url.path)

        #expect(imported.status == 0, "\(imported.stderr)")
        let lines = imported.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == cache.url.appendingPathComponent("datasets/pneumoniamnist/pneumoniamnist.npz").path)
        #expect(lines.contains("sha256 a554d2332488d3ddc075125e66a1af77ec379fd2bafc09108ab95a37e2bd9c26"))
        #expect(lines.contains { $0.hasPrefix("md5 ") && $0.contains("not MedMNIST's official file") })
        #expect(lines.contains("train: 3882 images (388 normal, 3494 pneumonia)"))
        #expect(lines.contains("test: 624 images (234 normal, 390 pneumonia)"))
        #expect(fetched.status == 0 && fetched.stdout == imported.stdout, "\(fetched.stderr)")
        #expect(listed.stdout.contains("pneumoniamnist\tzenodo.org record 10519652\t\(lines[0])"))
    }

    @Test func importOfABadFileNamesItAndExitsNonZero() throws {
        let cache = try TemporaryFolder("fedtune-images")
        defer { cache.remove() }
        let bogus = cache.url.appendingPathComponent("bogus.npz")
        try Data("not a zip".utf8).write(to: bogus)

        let result = try Command.fedtune("datasets", "import", "pneumoniamnist", bogus.path, "--cache", cache.url.path)
        let other = try Command.fedtune("datasets", "import", "digits", bogus.path, "--cache", cache.url.path)

        #expect(result.status == 1)
        #expect(result.stderr.hasSuffix("\nerror: \(bogus.path): cannot read: not a NumPy .npz (zip) archive\n"))
        #expect(other.status != 0 && other.stderr.contains("only pneumoniamnist can be imported, not 'digits'"))
    }
}
