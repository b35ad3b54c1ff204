import FedCoordinator
import FedRounds
import Foundation
import Testing

/// One coordinator per state folder, and only a clean history is resumed.
@Suite struct StateFolderTests {
    static func record(_ round: Int) -> RoundRecord {
        RoundRecord(
            round: round,
            sites: ["site-a"],
            examples: 10,
            trainMetrics: [:],
            failures: [:],
            clipScales: [:],
            digest: "",
            seconds: 0
        )
    }

    @Test func aSecondCoordinatorOnTheSameStateFolderIsRefusedNamingTheFolderAndTheHolder() throws {
        let (folder, configuration, _) = try FederationTests.prepare(sites: ["site-a"])
        defer { try? FileManager.default.removeItem(at: folder) }
        var first: Coordinator? = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        #expect(throws: CoordinatorError.stateFolderInUse(path: configuration.state.path, holder: getpid())) {
            _ = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        }
        let message = "\(CoordinatorError.stateFolderInUse(path: configuration.state.path, holder: getpid()))"
        #expect(message.contains(configuration.state.path) && message.contains("process \(getpid())"))
        #expect(first != nil)
        first = nil
        // Once the first is gone, the folder is free again.
        _ = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
    }

    @Test func aHistoryWithADuplicateOrAGapIsRefusedAtStartNamingTheLine() throws {
        let (folder, configuration, _) = try FederationTests.prepare(sites: ["site-a"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let state = StateFolder(configuration.state)
        let encoder = JSONEncoder()
        for (rounds, line, detail) in [
            ([1, 1, 2], 2, "round 1 is recorded twice"), ([1, 2, 4], 3, "round 3 is missing (found 4)"),
        ] {
            let lines = try rounds.map { String(decoding: try encoder.encode(Self.record($0)), as: UTF8.self) }
            try FileManager.default.createDirectory(at: configuration.state, withIntermediateDirectories: true)
            try (lines.joined(separator: "\n") + "\n").write(to: state.roundsURL, atomically: true, encoding: .utf8)
            #expect(throws: CoordinatorError.corruptState(path: state.roundsURL.path, line: line, detail: detail)) {
                _ = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
            }
        }
        // A clean history passes the check.
        let clean = try [1, 2].map { String(decoding: try encoder.encode(Self.record($0)), as: UTF8.self) }
        try (clean.joined(separator: "\n") + "\n").write(to: state.roundsURL, atomically: true, encoding: .utf8)
        try state.checkHistory()
    }

    @Test func aCoordinatorOnAFinishedFolderStopsAtOnceAndRemakesAMissingFinalModel() async throws {
        let (folder, configuration, sites) = try FederationTests.prepare(sites: ["site-a", "site-b"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        _ = try await FederationTests.federate(first, sites: sites.map(FederationTests.honest))
        let state = StateFolder(configuration.state)
        #expect(FileManager.default.fileExists(atPath: state.finalModelURL.appendingPathComponent("model.json").path))
        try FileManager.default.removeItem(at: state.finalModelURL)

        let again = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        #expect(try await again.run() == 3)
        #expect(FileManager.default.fileExists(atPath: state.finalModelURL.appendingPathComponent("model.json").path))
        #expect(try state.records().map(\.round) == [1, 2, 3], "nothing is run or recorded again")
    }
}
