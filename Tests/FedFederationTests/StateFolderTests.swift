import Clocks
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

    /// A finished run, then a restart on its folder (as after a crash that kept `finished`
    /// from the sites): the final model is remade, a site that comes back is told the run
    /// is over, and after one deadline the coordinator stops without running anything.
    @Test func aRestartOnAFinishedFolderTellsReturningSitesAndRemakesAMissingFinalModel() async throws {
        let (folder, configuration, sites) = try FederationTests.prepare(sites: ["site-a", "site-b"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        _ = try await FederationTests.federate(first, sites: sites.map(FederationTests.honest))
        let state = StateFolder(configuration.state)
        try FileManager.default.removeItem(at: state.finalModelURL)

        let clock = TestClock()
        let again = try Coordinator(configuration: configuration, logger: FederationTests.quiet, clock: clock)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let run = Task { try await again.run { continuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        #expect(FileManager.default.fileExists(atPath: state.finalModelURL.appendingPathComponent("model.json").path))
        #expect(try await FederationTests.honest(sites[0])(port) == 3, "the returning site is told: 3 rounds")
        await clock.advance(by: .seconds(configuration.policy.deadlineSeconds))
        #expect(try await run.value == 3)
        #expect(try state.records().map(\.round) == [1, 2, 3], "nothing is run or recorded again")
    }

    /// A crash after the last checkpoint but before its evaluation was written: the restart
    /// asks the sites to score that round again, records it, and then finishes.
    @Test func aLostEvaluationIsAskedAgainAfterARestart() async throws {
        let (folder, configuration, sites) = try FederationTests.prepare(sites: ["site-a", "site-b"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        _ = try await FederationTests.federate(first, sites: sites.map(FederationTests.honest))
        let state = StateFolder(configuration.state)
        let evaluations = try state.evaluations()
        #expect(evaluations.map(\.round) == [1, 2, 3])
        let lines = try String(contentsOf: state.evaluationsURL, encoding: .utf8).split(separator: "\n")
        try (lines.dropLast().joined(separator: "\n") + "\n").write(
            to: state.evaluationsURL,
            atomically: true,
            encoding: .utf8
        )

        let again = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        #expect(try await FederationTests.federate(again, sites: sites.map(FederationTests.honest)) == [3, 3, 3])
        #expect(try state.evaluations() == evaluations, "the same sites score the same model the same way")
        #expect(try state.records().map(\.round) == [1, 2, 3])
    }

    /// What a crash or a fault leaves is cleaned or refused at start, before any site joins:
    /// a torn last line is cut (its round is redone), stale temporary files are removed, and
    /// a checkpoint whose bytes are not what rounds.jsonl recorded is refused naming the round.
    @Test func aTornLineAndStaleFilesAreCleanedAndADamagedCheckpointIsRefused() async throws {
        let (folder, configuration, sites) = try FederationTests.prepare(sites: ["site-a"])
        defer { try? FileManager.default.removeItem(at: folder) }
        var short = configuration
        short.policy.rounds = 2
        let first = try Coordinator(configuration: short, logger: FederationTests.quiet)
        _ = try await FederationTests.federate(first, sites: sites.map(FederationTests.honest))
        let state = StateFolder(configuration.state)
        let stale = configuration.state.appendingPathComponent(".global-00003.safetensors.1234.tmp")
        try Data(count: 100).write(to: stale)
        let torn = try FileHandle(forWritingTo: state.roundsURL)
        try torn.seekToEnd()
        try torn.write(contentsOf: Data(#"{"round":3,"sites":["#.utf8))
        try torn.close()

        _ = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(try state.records().map(\.round) == [1, 2])
        let mode = try FileManager.default.attributesOfItem(atPath: state.checkpointURL(round: 2).path)[
            .posixPermissions
        ]
        #expect(mode as? Int == 0o600, "checkpoints are for the operator only")

        var checkpoint = try Data(contentsOf: state.checkpointURL(round: 2))
        checkpoint[checkpoint.count - 3] ^= 0x01
        try checkpoint.write(to: state.checkpointURL(round: 2))
        let error = #expect(throws: CoordinatorError.self) {
            _ = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        }
        #expect("\(error!)".contains("the checkpoint of round 2, is damaged: its SHA-256 is"), "\(error!)")
    }

    /// A state folder that cannot be written is refused at start, naming the folder and why.
    @Test func aStateFolderThatCannotBeWrittenIsRefusedAtStart() throws {
        let (folder, configuration, _) = try FederationTests.prepare(sites: ["site-a"])
        defer { try? FileManager.default.removeItem(at: folder) }
        // A file where the folder should be: refused even for root, who may write anywhere else.
        var blocked = configuration
        let file = folder.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        blocked.state = file.appendingPathComponent("state")
        let error = #expect(throws: CoordinatorError.self) {
            _ = try Coordinator(configuration: blocked, logger: FederationTests.quiet)
        }
        #expect("\(error!)".contains("cannot be written") && "\(error!)".contains(file.path), "\(error!)")
    }

    /// A checkpoint write that fails mid-run (here: a folder where the file must go, which
    /// fails for root too) stops the run with the path and the system's reason, after the
    /// sites are told; the round before stays on disk and a fixed folder resumes from it.
    @Test func aCheckpointThatCannotBeWrittenStopsTheRunAndTellsTheSites() async throws {
        let (folder, configuration, sites) = try FederationTests.prepare(sites: ["site-a", "site-b"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let state = StateFolder(configuration.state)
        try FileManager.default.createDirectory(at: state.checkpointURL(round: 2), withIntermediateDirectories: true)
        let coordinator = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let run = Task { try await coordinator.run { continuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let siteErrors = await withTaskGroup(of: String.self) { group in
            for site in sites {
                group.addTask {
                    do {
                        _ = try await FederationTests.honest(site)(port)
                        return "finished"
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let error = await #expect(throws: CoordinatorError.self) { try await run.value }
        let message = "\(error!)"
        #expect(message.contains("the checkpoint of round 2 could not be written"), "\(message)")
        #expect(
            message.contains(state.checkpointURL(round: 2).path) && message.contains("Is a directory"),
            "\(message)"
        )
        #expect(
            siteErrors.allSatisfy { $0.contains("the coordinator stopped: the checkpoint of round 2") },
            "\(siteErrors)"
        )
        #expect(try state.records().map(\.round) == [1])

        try FileManager.default.removeItem(at: state.checkpointURL(round: 2))
        let resumed = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        #expect(try await FederationTests.federate(resumed, sites: sites.map(FederationTests.honest)) == [3, 3, 3])
    }
}
