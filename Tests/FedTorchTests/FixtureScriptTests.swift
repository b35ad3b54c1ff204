import FedTestSupport
import Foundation
import Testing

/// The committed fixtures are exactly what scripts/fixtures/make_torch_fixtures.py writes, so
/// the values the tests expect are the script's and nobody edited a file by hand.
struct FixtureScriptTests {
    /// Whether `python3` on PATH (the project's .venv when the suite runs through scripts/test)
    /// has numpy.
    static let hasNumpy: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import numpy"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    @Test(.enabled(if: Self.hasNumpy, "python3 with numpy is not on PATH (use the project's .venv)"))
    func theScriptRegeneratesTheCommittedFixtures() throws {
        let folder = try TemporaryFolder("fedtorch-fixtures")
        defer { folder.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Repository.root.appendingPathComponent("scripts/fixtures/make_torch_fixtures.py").path,
            folder.url.path,
        ]
        process.standardOutput = FileHandle.nullDevice

        try process.run()
        process.waitUntilExit()

        try #require(process.terminationStatus == 0)
        let made = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
        let committed = try FileManager.default.contentsOfDirectory(atPath: TorchFixtures.folder.path).sorted()
        #expect(made == committed)
        for name in made {
            let fresh = try Data(contentsOf: folder.url.appendingPathComponent(name))
            #expect(
                fresh == (try Data(contentsOf: TorchFixtures.url(name))),
                "\(name) differs from the script's output"
            )
        }
    }
}
