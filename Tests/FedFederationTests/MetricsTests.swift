import FedClient
import FedCoordinator
import FedObserve
import FedRounds
import FedTensor
import Foundation
import NIOCore
import NIOPosix
import Testing

/// `/metrics` of a running coordinator, scraped over HTTP and parsed as Prometheus text,
/// against the rounds.jsonl it writes; the listener's answers to bad requests; a taken port.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct MetricsTests {
    /// Sums of the records, as the counters must show them.
    static func expect(_ scrape: PrometheusText, matches records: [RoundRecord], updatesReceived: Int) {
        let failures = records.flatMap(\.failures.values).map { FailureCategory(reason: $0).rawValue }
        #expect(scrape.value("fedtune_rounds_finished_total") == Double(records.count))
        #expect(scrape.value("fedtune_round_completed") == Double(records.last?.round ?? 0))
        #expect(scrape.value("fedtune_site_reports_total") == Double(records.map(\.sites.count).reduce(0, +)))
        for category in FailureCategory.allCases {
            #expect(
                scrape.value("fedtune_site_failures_total", ["reason": category.rawValue])
                    == Double(failures.filter { $0 == category.rawValue }.count), "failures by \(category)")
        }
        let bytes = records.compactMap(\.bytes)
        #expect(scrape.value("fedtune_bytes_in_total") == Double(bytes.map(\.updates).reduce(0, +)))
        #expect(
            scrape.value("fedtune_bytes_out_total", ["kind": "trainable"]) == Double(bytes.map(\.trainable).reduce(0, +)))
        #expect(
            scrape.value("fedtune_bytes_out_total", ["kind": "base_model"]) == Double(bytes.map(\.baseModel).reduce(0, +)))
        #expect(scrape.value("fedtune_round_duration_seconds_count") == Double(records.count))
        let seconds = records.map(\.seconds).reduce(0, +)
        #expect(abs((scrape.value("fedtune_round_duration_seconds_sum") ?? -1) - seconds) < 1e-6)
        #expect(scrape.value("fedtune_checkpoint_write_seconds_count") == Double(records.count))
        #expect(
            scrape.value("fedtune_update_clip_factor_count") == Double(records.map(\.clipScales.count).reduce(0, +)))
        #expect(scrape.value("fedtune_update_norm_count") == Double(updatesReceived))
        #expect(scrape.value("fedtune_sites_connected") == 4)
        #expect(scrape.value("fedtune_sites_sampled") == 4)
    }

    @Test func scrapedMetricsMatchTheRoundRecordsWhileTheFederationRuns() async throws {
        let meters = SiteMeters()
        let federation = try await ObservedFederation.start(rounds: 2, meters: meters)
        defer { federation.remove() }

        // Round 1 is open, only "silent" outstanding: nothing finished yet, 3 updates in.
        try await federation.waitUntilOnlySilentIsTraining(finished: 0)
        var response = try await federation.get("/metrics")
        #expect(response.status == 200)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        var scrape = try PrometheusText(response.text)
        Self.expect(scrape, matches: [], updatesReceived: 3)
        #expect(scrape.value("fedtune_sites_sampled_total") == 4)
        for metric in MetricCatalog.coordinator where metric.name != MetricCatalog.epsilon.name {
            #expect(scrape.types[metric.name] == metric.kind.rawValue, "\(metric.name) is exported as \(metric.kind)")
            #expect(scrape.helps[metric.name] == metric.help)
        }
        #expect(scrape.types[MetricCatalog.epsilon.name] == nil, "no ε without privacy")

        // A malformed request is answered 400 and the federation goes on.
        let garbage = try await HTTPFetch.exchange(
            host: "127.0.0.1", port: federation.metricsPort, request: Array("NOT HTTP AT ALL\r\n\r\n".utf8))
        #expect(HTTPFetch.parse(garbage)?.status == 400)

        await federation.passDeadline()
        try await federation.waitUntilOnlySilentIsTraining(finished: 1)
        response = try await federation.get("/metrics")
        scrape = try PrometheusText(response.text)
        let records = try federation.records()
        #expect(records.count == 1)
        #expect(records.first?.failures == ["silent": "no report before the deadline"])
        Self.expect(scrape, matches: records, updatesReceived: 6)

        let results = try await federation.finish()
        #expect(results.sorted() == [2, 2, 2, 2, 2], "the coordinator and the four sites")
        #expect(try federation.records().map(\.round) == [1, 2])

        // site-a counted its own training: 2 rounds of 96 examples.
        let site = try PrometheusText(String(decoding: meters.exposition(), as: UTF8.self))
        #expect(site.value("fedtune_site_rounds_trained_total") == 2)
        #expect(site.value("fedtune_site_examples_total") == 192)
        #expect(site.value("fedtune_site_training_seconds_count") == 2)
        #expect((site.value("fedtune_site_training_seconds_sum") ?? 0) > 0)
    }

    @Test func theListenerServesGETOnItsPathsOnlyAndBoundsRequests() async throws {
        let listener = try await ObserveListener.start(
            host: "127.0.0.1", port: 0, setting: "metrics.listen",
            routes: ["/metrics": ObserveRoute(contentType: "text/plain") { Array("fedtune_up 1\n".utf8) }])
        defer { Task { await listener.close() } }
        func send(_ request: String) async throws -> Int? {
            let raw = try await HTTPFetch.exchange(host: "127.0.0.1", port: listener.port, request: Array(request.utf8))
            return HTTPFetch.parse(raw)?.status
        }
        let started = ContinuousClock.now
        let ok = try await HTTPFetch.get(host: "127.0.0.1", port: listener.port, path: "/metrics?x=1")
        #expect(ok.status == 200 && ok.text == "fedtune_up 1\n")
        #expect(try await send("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n") == 404)
        #expect(try await send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi") == 405)
        #expect(try await send("DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n") == 405)
        let big = String(repeating: "a", count: 10_000)
        #expect(try await send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: \(big)\r\n\r\n") == 431)
        #expect(
            try await send("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n\(big.prefix(5000))") == 413)
        #expect(try await send("GET /metrics HTTP/9.9 nonsense\r\n\r\n") == 400)
        #expect(try await send("\u{1}\u{2}\u{3}\r\n\r\n") == 400)
        // Still serving after all that, and every answer came at once (not at the idle timeout).
        #expect(try await HTTPFetch.get(host: "127.0.0.1", port: listener.port, path: "/metrics").status == 200)
        #expect(started.duration(to: .now) < .seconds(5))
    }

    @Test func aTakenPortStopsTheCoordinatorWithASentenceBeforeSitesAreAccepted() async throws {
        let taken = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { taken.close(promise: nil) }
        let port = try #require(taken.localAddress?.port)
        let (folder, prepared, _) = try FederationTests.prepare(sites: ["site-a"])
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = prepared
        configuration.metrics = .init(host: "127.0.0.1", port: port)
        let coordinator = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        let accepted = ManagedFlag()
        await #expect {
            _ = try await coordinator.run(onListening: { _ in accepted.set() })
        } throws: { error in
            "\(error)"
                == "metrics: cannot listen on 127.0.0.1:\(port): the port is in use; choose another metrics.listen in coordinator.yaml"
        }
        #expect(!accepted.value, "the sites' listener never opened")
    }
}

/// A flag set from a `@Sendable` callback.
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set_ = false
    func set() { self.lock.withLock { self.set_ = true } }
    var value: Bool { self.lock.withLock { self.set_ } }
}
