import FedCoordinator
import FedObserve
import FedRounds
import FedTensor
import FedTestSupport
import Foundation
import OrderedCollections
import Testing

/// `/status.json`, the live status page (also as headless Chromium renders it) and
/// `fedtune status` on a running federation and on its state folder.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct StatusTests {
    @Test func statusPageAndJSONShowTheRunningFederation() async throws {
        let federation = try await ObservedFederation.start(rounds: 2)
        defer { federation.remove() }
        try await federation.waitUntilOnlySilentIsTraining(finished: 0)
        await federation.passDeadline()
        try await federation.waitUntilOnlySilentIsTraining(finished: 1)

        // Round 2 is open; site-a…c have reported, "silent" still trains.
        let response = try await federation.get("/status.json")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        let status = try FederationStatus.decode(response.body)
        #expect(status.source == "coordinator")
        #expect(status.phase == "training")
        #expect(status.round == 2)
        #expect(status.completedRounds == 1)
        #expect(status.plannedRounds == 2)
        #expect(
            status.sites == [
                .init(name: "silent", state: .training), .init(name: "site-a", state: .reported),
                .init(name: "site-b", state: .reported), .init(name: "site-c", state: .reported),
            ])
        let record = try #require(try federation.records().first)
        let round = try #require(status.rounds.first)
        #expect(status.rounds.count == 1)
        #expect(round.round == 1 && round.reported == 3 && round.failed == 1 && round.examples == record.examples)
        #expect(round.bytesIn == record.bytes?.updates)
        #expect(round.bytesOut == (record.bytes.map { $0.baseModel + $0.trainable }))
        #expect(status.epsilon == nil)

        // `fedtune status http://…` reads the same and prints it as a table.
        let fetched = try await StatusLookup.status(of: "http://127.0.0.1:\(federation.metricsPort)")
        #expect(fetched.sites == status.sites)
        let table = StatusTable.text(fetched)
        #expect(table.hasPrefix("fedtune federation (coordinator): training round 2 (1 of 2 finished)\n"))
        #expect(table.contains("silent  training"))
        #expect(table.contains("site-a  reported"))

        // The page: self-contained, refreshing, with the report's SVG charts.
        let page = try await federation.get("/")
        #expect(page.status == 200)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        let html = page.text
        #expect(html.contains("<meta http-equiv=\"refresh\" content=\"5\">"))
        for id in ["status-accuracy", "status-sites", "status-bytes"] { #expect(html.contains("id=\"\(id)\"")) }
        #expect(!html.contains("<script"), "no scripts")
        #expect(!html.contains("src=\"http"), "nothing fetched from elsewhere")

        // Headless Chromium renders the live page into a DOM with the charts and the sites.
        if let chromium = Chromium.find() {
            let url = "http://127.0.0.1:\(federation.metricsPort)/"
            let run = try await offThePool { try chromium.run(["--dump-dom", url]) }
            let dom = run.text
            #expect(!run.timedOut && run.status == 0)
            #expect(dom.components(separatedBy: "<svg").count - 1 == 3)
            for id in ["status-accuracy", "status-sites", "status-bytes", "sites", "headline"] {
                #expect(dom.contains("id=\"\(id)\""), "DOM lacks \(id)")
            }
            #expect(dom.contains("<circle"), "a chart draws its points")
            #expect(dom.contains("state-training\">training"))
            // Kept for people to look at, as the report test keeps its picture.
            let png = URL(fileURLWithPath: "/tmp/fedtune-status.png")
            try? FileManager.default.removeItem(at: png)
            let painted = try await offThePool {
                try chromium.run(["--window-size=1280,1400", "--screenshot=\(png.path)", url])
            }
            #expect(painted.status == 0)
            #expect(FileManager.default.contents(atPath: png.path)?.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        } else {
            Issue.record("chromium is not installed: run scripts/install-deps --test")
        }

        #expect(try await federation.finish().sorted() == [2, 2, 2, 2, 2])
        try Self.checkNothingSecretIsServed(federation.folder, pages: [response.body, page.body])
    }

    /// Names, counts and numbers only: no tensor name, no tensor bytes, no key material.
    static func checkNothingSecretIsServed(_ folder: URL, pages: [[UInt8]]) throws {
        let checkpoint = try Safetensors.decode(
            Data(contentsOf: folder.appendingPathComponent("state/global-00002.safetensors")), path: "checkpoint")
        let keys = try ["certs/coordinator/key.pem", "certs/sites/site-a/key.pem"].map {
            try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)
        }
        for page in pages {
            let text = String(decoding: page, as: UTF8.self)
            for name in checkpoint.tensors.keys { #expect(!text.contains("\"\(name)\""), "tensor \(name) is served") }
            #expect(!text.contains("PRIVATE KEY") && !text.contains("BEGIN"))
            for key in keys {
                let body = key.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
                #expect(!text.contains(body.prefix(24)), "key material is served")
            }
        }
    }

    @Test func statusCommandPrintsAStateFolderAsATable() async throws {
        let (folder, configuration, sites) = try FederationTests.prepare(sites: ["site-a", "site-b", "site-c"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let coordinator = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        _ = try await FederationTests.federate(coordinator, sites: sites.map(FederationTests.honest))

        let status = try await StatusLookup.status(of: configuration.state.path)
        #expect(status.source == "state folder" && status.phase == "finished" && status.completedRounds == 3)
        #expect(status.rounds.map(\.round) == [1, 2, 3])
        #expect(status.rounds.allSatisfy { $0.reported == 3 && $0.failed == 0 && $0.accuracy != nil })
        #expect(status.sites.map(\.state) == [.reported, .reported, .reported])

        // The binary prints the table (built by `swift build --build-tests`).
        let process = Process()
        process.executableURL = Repository.fedtune
        process.arguments = ["status", configuration.state.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.first == "fedtune federation (state folder): finished (3 finished)")
        let header = try #require(lines.first { $0.hasPrefix("round") })
        #expect(header.split(separator: " ").map(String.init) == [
            "round", "reported", "failed", "examples", "seconds", "sent", "received", "accuracy", "ε",
        ])
        #expect(lines.filter { $0.hasPrefix("    1 ") || $0.hasPrefix("    2 ") || $0.hasPrefix("    3 ") }.count == 3)

        // A folder that is not there is refused in a sentence.
        await #expect {
            _ = try await StatusLookup.status(of: folder.appendingPathComponent("nope").path)
        } throws: { "\($0)".contains("no such folder") }
        await #expect {
            _ = try await StatusLookup.status(of: "http://127.0.0.1:1")
        } throws: { "\($0)".hasPrefix("cannot reach http://127.0.0.1:1/status.json") }
    }
}
