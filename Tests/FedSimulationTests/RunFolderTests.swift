import FedCoordinator
import FedReport
import FedRounds
import FedSupport
import FedTestSupport
import Foundation
import Testing

@testable import FedSimulation

/// The run folder a simulation leaves: every file exists and parses, summary.json keeps the
/// environment and the resolved settings, and `fedtune report` renders a run again — also
/// one that was stopped before it wrote its summary.
@Suite(.serialized) struct RunFolderTests {
    static let quickstart = Repository.root.appendingPathComponent("scenarios/quickstart.yaml")

    /// Runs quickstart for `rounds` rounds into a new folder, without baselines;
    /// `interruptAfter` requests a stop once that round closes.
    static func run(rounds: Int, interruptAfter: Int? = nil) throws -> (URL, Simulation.Report) {
        var scenario = try Scenario.load(self.quickstart)
        scenario.rounds = rounds
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-runfolder-\(UUID())")
        let interruption = Interruption()
        let report = try Simulation(
            scenario: scenario,
            options: .init(output: folder, baselines: false, interruption: interruption, scenarioFile: self.quickstart)
        ).run(onRound: { round in if round.round == interruptAfter { interruption.request() } })
        return (folder, report)
    }

    @Test func everyFileOfTheRunFolderExistsAndParses() throws {
        let (folder, report) = try Self.run(rounds: 3)
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = RunFolder(folder)

        #expect(try Data(contentsOf: run.scenarioURL) == Data(contentsOf: Self.quickstart), "the scenario, copied")
        let summary = try RunSummary.decode(from: Data(contentsOf: run.summaryURL))
        #expect(summary == report.summary)
        #expect(summary.finished == true && summary.roundsAsked == 3)
        let environment = try #require(summary.environment)
        #expect(environment.version == RunEnvironment.release)
        #expect(!environment.commit.isEmpty && !environment.cpu.isEmpty && environment.threads >= 1)
        let configuration = try #require(summary.configuration)
        #expect(configuration["rounds"] == .number(3))
        #expect(configuration["sites"] == .number(Double(summary.sites.count)))
        #expect(configuration["local"]?["epochs"] != nil, "local training, with the wire's keys")
        #expect(configuration["strategy"]?["aggregation"] == .string("mean"))
        let start = try RunSummary.decode(from: Data(contentsOf: run.startURL))
        #expect(start.finished == false && start.rounds.isEmpty && start.sites == summary.sites.map {
            SiteSummary(name: $0.name, trainExamples: $0.trainExamples, testExamples: $0.testExamples,
                        classCounts: $0.classCounts)
        })

        // metrics.jsonl: a line per site and round, then the round's global line.
        let lines = try String(contentsOf: run.metricsURL, encoding: .utf8).split(separator: "\n")
        let decoded = try lines.map { try JSONDecoder().decode(RunFolder.MetricsLine.self, from: Data($0.utf8)) }
        #expect(decoded.filter { $0.kind == "global" }.map(\.round) == [1, 2, 3])
        #expect(decoded.filter { $0.kind == "site" }.count == 3 * summary.sites.count)
        #expect(decoded.filter { $0.kind == "site" }.allSatisfy { $0.trainLoss != nil && $0.heldOutAccuracy != nil })

        // The coordinator's records keep each site's metrics and update norm.
        let records = try StateFolder(folder.appendingPathComponent("state")).records()
        for record in records {
            #expect(Set(record.siteMetrics?.keys ?? [:].keys) == Set(record.sites))
            #expect(Set(record.updateNorms?.keys ?? [:].keys) == Set(record.sites))
        }
        // The report's rounds carry each site's part and the bytes apart from the base model.
        for round in summary.rounds {
            let sites = try #require(round.sites)
            #expect(sites.count == summary.sites.count && sites.allSatisfy { $0.reported && $0.trainLoss != nil })
            #expect(round.baseModelBytes != nil && round.trainableBytes != nil && round.seconds != nil)
        }
        #expect(summary.rounds[0].baseModelBytes! > 0 && summary.rounds[1].baseModelBytes == 0, "sent once")
    }

    @Test func aStoppedRunWithoutItsSummaryIsRenderedAgainByFedtuneReport() throws {
        let (folder, report) = try Self.run(rounds: 30, interruptAfter: 2)
        defer { try? FileManager.default.removeItem(at: folder) }
        let finished = try #require(report.interruptedAfter)
        let run = RunFolder(folder)
        #expect(report.summary.finished == false)

        // As if the process had been killed: no summary, no report.
        try FileManager.default.removeItem(at: run.summaryURL)
        try FileManager.default.removeItem(at: run.reportURL)
        let summary = try RunReport.render(folder: folder)
        #expect(summary.finished == false)
        #expect(summary.rounds.map(\.round) == Array(1...finished))
        #expect(summary.rounds.map(\.accuracy) == report.summary.rounds.map(\.accuracy), "from metrics.jsonl")
        #expect(summary.rounds.map(\.sites) == report.summary.rounds.map(\.sites))
        let html = try String(contentsOf: run.reportURL, encoding: .utf8)
        #expect(html.contains("This run did not finish."))
        #expect(html.contains("id=\"chart-labels\"") && html.contains("id=\"chart-site-train-loss\""))

        // The command does the same, through the built binary.
        try FileManager.default.removeItem(at: run.reportURL)
        let process = Process()
        process.executableURL = Repository.fedtune
        process.arguments = ["report", folder.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(printed.contains("the run did not finish: \(finished) rounds"))
        #expect(FileManager.default.fileExists(atPath: run.reportURL.path))
    }

    @Test func aFolderWithoutARunIsNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-empty-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: RunReportError.notARunFolder(path: folder.path)) { try RunReport.render(folder: folder) }
        #expect(RunReportError.notARunFolder(path: folder.path).description.contains("neither summary.json nor run.json"))
    }
}
