import FedCoordinator
import FedObserve
import FedRounds
import Foundation
import Testing

/// The pure parts of metrics and status: failure categories, addresses, the response parser,
/// the meters' exposition from a record, the status table and `metrics:` in coordinator.yaml.
struct ObservePartsTests {
    @Test func failureReasonsFallInABoundedSetOfCategories() {
        #expect(FailureCategory(reason: "no report before the deadline") == .deadline)
        #expect(FailureCategory(reason: "disconnected") == .disconnected)
        #expect(FailureCategory(reason: "the site stopped: its data has no column 'x3'") == .stopped)
        #expect(FailureCategory(reason: "left out of secure aggregation: too few of its neighbours took part") == .secureAggregation)
        #expect(FailureCategory(reason: "tensor 'w' holds a NaN") == .rejected)
    }

    @Test func addressesAreHostAndPort() throws {
        #expect(try ObserveError.parse(address: "127.0.0.1:9464", setting: "x") == ("127.0.0.1", 9464))
        #expect(try ObserveError.parse(address: "[::1]:0", setting: "x") == ("[::1]", 0))
        for bad in ["9464", ":9464", "host:", "host:70000", "host:-1", "host:http"] {
            #expect(throws: ObserveError.invalidAddress(bad, setting: "--metrics")) {
                try ObserveError.parse(address: bad, setting: "--metrics")
            }
        }
    }

    @Test func responsesAreSplitIntoStatusHeadersAndBody() throws {
        let raw = Array("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nno".utf8)
        let response = try #require(HTTPFetch.parse(raw))
        #expect(response.status == 404 && response.header("content-type") == "text/plain" && response.text == "no")
        #expect(HTTPFetch.parse(Array("garbage".utf8)) == nil)
        #expect(HTTPFetch.parse(Array("SMTP 220\r\n\r\n".utf8)) == nil)
    }

    @Test func metersCountARoundRecord() throws {
        let meters = CoordinatorMeters(privacy: true, completedRounds: 4)
        meters.connected(3)
        meters.roundStarted(sampled: 3)
        meters.received(updateNorm: 2.5)
        meters.received(updateNorm: .nan)
        meters.spent(epsilon: 0.75)
        var record = RoundRecord(
            round: 5, sites: ["a", "b"], examples: 40, trainMetrics: [:],
            failures: ["c": "no report before the deadline"], clipScales: ["a": 1, "b": 0.5], digest: "",
            seconds: 12.5, bytes: RoundBytes(baseModel: 100, trainable: 20, updates: 30))
        meters.closed(record)
        record.round = 6
        record.failures = ["c": "disconnected"]
        meters.closed(record)
        meters.checkpointWritten(seconds: 0.02)
        let scrape = try PrometheusText(String(decoding: meters.exposition(), as: UTF8.self))
        #expect(scrape.value("fedtune_rounds_finished_total") == 2)
        #expect(scrape.value("fedtune_round_completed") == 6)
        #expect(scrape.value("fedtune_site_reports_total") == 4)
        #expect(scrape.value("fedtune_site_failures_total", ["reason": "deadline"]) == 1)
        #expect(scrape.value("fedtune_site_failures_total", ["reason": "disconnected"]) == 1)
        #expect(scrape.value("fedtune_site_failures_total", ["reason": "stopped"]) == 0)
        #expect(scrape.value("fedtune_bytes_in_total") == 60)
        #expect(scrape.value("fedtune_bytes_out_total", ["kind": "base_model"]) == 200)
        #expect(scrape.value("fedtune_update_norm_count") == 1 && scrape.value("fedtune_update_norm_sum") == 2.5)
        #expect(scrape.value("fedtune_update_clip_factor_count") == 4)
        #expect(scrape.value("fedtune_update_clip_factor_bucket", ["le": "0.5"]) == 2)
        #expect(scrape.value("fedtune_round_duration_seconds_sum") == 25)
        #expect(scrape.value("fedtune_privacy_epsilon") == 0.75)
        #expect(scrape.value("fedtune_sites_connected") == 3 && scrape.value("fedtune_sites_sampled") == 3)
        #expect(scrape.types["fedtune_round_duration_seconds"] == "histogram")
    }

    @Test func statusTablePrintsSitesAndRounds() throws {
        var status = FederationStatus(
            source: "coordinator", phase: "training", round: 3, completedRounds: 2, plannedRounds: 10, minSites: 2,
            sites: [.init(name: "hospital-north", state: .training), .init(name: "b", state: .failed)],
            rounds: [
                .init(round: 1, reported: 2, failed: 0, examples: 100, seconds: 4.25, bytesIn: 2048, bytesOut: 5_000_000,
                      accuracy: 0.8125, epsilon: 0.5),
                .init(round: 2, reported: 1, failed: 1, examples: 50, seconds: 3, bytesIn: 1024, bytesOut: 4096,
                      accuracy: nil, epsilon: 0.75),
            ])
        status.epsilon = 0.75
        status.targetEpsilon = 8
        let text = StatusTable.text(status)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "fedtune federation (coordinator): training round 3 (2 of 10 finished)")
        #expect(lines[1] == "sites connected: 2; ε spent: 0.75 of 8.00")
        #expect(lines.contains("hospital-north  training"))
        #expect(lines.contains("b               failed"))
        #expect(text.contains("0.812"))
        #expect(lines.last == "")
        let json = FederationStatus.decode
        #expect(try json(status.json()) == status)
        #expect(String(decoding: status.json(), as: UTF8.self).contains("\"completed_rounds\":2"))
    }

    @Test func coordinatorYAMLReadsMetricsListen() throws {
        let base = "identity: certs\nmodel: model\nstate: state\nrounds: 1\nmin_sites: 1\n"
        let configuration = try CoordinatorConfigurationTests.load(base + "metrics: {listen: 127.0.0.1:9464}\n")
        #expect(configuration.metrics == .init(host: "127.0.0.1", port: 9464))
        #expect(try CoordinatorConfigurationTests.load(base).metrics == nil)
        #expect { try CoordinatorConfigurationTests.load(base + "metrics: {listen: 9464}\n") } throws: {
            "\($0)".contains("metrics.listen must be HOST:PORT with a port in 0...65535, not '9464'")
        }
        #expect { try CoordinatorConfigurationTests.load(base + "metrics: {listen: a:1, port: 3}\n") } throws: {
            "\($0)".contains("unknown key 'metrics.port'")
        }
    }
}
