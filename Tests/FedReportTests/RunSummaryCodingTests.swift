import Foundation
import Testing

@testable import FedReport

@Suite struct RunSummaryCodingTests {
    @Test func summaryRoundTripsThroughJSON() throws {
        let summary = RunSummary.sample()

        let decoded = try RunSummary.decode(from: summary.jsonData())

        #expect(decoded == summary)
    }

    @Test func jsonUsesCamelCaseKeysAndAnISODateString() throws {
        let json = try #require(String(data: RunSummary.sample().jsonData(), encoding: .utf8))

        for key in [
            "\"classNames\"", "\"macroF1\"", "\"perClass\"", "\"meanSiteTrainLoss\"", "\"bytesSent\"",
            "\"aloneAccuracy\"", "\"globalAccuracy\"", "\"trainExamples\"",
        ] {
            #expect(json.contains(key), "missing \(key)")
        }
        #expect(json.contains("\"date\" : \"2025-06-01T09:30:00Z\""))
        #expect(json.contains("\"kind\" : \"sitesAloneMean\""))
        #expect(!json.contains("_"), "snake_case key in \(json.prefix(200))")
    }

    @Test func isoDateFormatsUTCWholeSeconds() {
        #expect(RunSummary.isoDate(Date(timeIntervalSince1970: 1_748_770_200)) == "2025-06-01T09:30:00Z")
    }

    @Test func nonFiniteValuesAreWrittenAsStringsAndReadBack() throws {
        var summary = RunSummary.sample(rounds: 2)
        summary.rounds[0].loss = .nan
        summary.rounds[1].loss = .infinity

        let data = try summary.jsonData()
        let decoded = try RunSummary.decode(from: data)

        #expect(String(decoding: data, as: UTF8.self).contains("\"loss\" : \"NaN\""))
        #expect(decoded.rounds[0].loss?.isNaN == true)
        #expect(decoded.rounds[1].loss == .infinity)
    }

    @Test func aMinimalSummaryDecodesWithEmptyLists() throws {
        let json = #"{"scenario": "bare", "date": "2025-01-02T03:04:05Z"}"#

        let summary = try RunSummary.decode(from: Data(json.utf8))

        #expect(summary == RunSummary(scenario: "bare", date: "2025-01-02T03:04:05Z"))
    }

    @Test func screeningAndExampleImagesRoundTrip() throws {
        let summary = RunSummary.screeningSample()

        let json = String(decoding: try summary.jsonData(), as: UTF8.self)
        let decoded = try RunSummary.decode(from: Data(json.utf8))

        #expect(decoded == summary)
        for key in ["\"screening\"", "\"rocAUC\"", "\"sensitivity\"", "\"examples\"", "\"dataURI\""] {
            #expect(json.contains(key), "missing \(key)")
        }
        #expect(json.contains("\"dataURI\" : \"data:image/png;base64,"))
    }

    @Test func aSummaryWrittenBeforeScreeningDecodesWithoutIt() throws {
        let json = #"""
            {"scenario": "old", "date": "2025-01-02T03:04:05Z",
             "rounds": [{"round": 1, "accuracy": 0.8}],
             "baselines": [{"name": "Federated", "kind": "federated",
                            "metrics": {"accuracy": 0.8, "macroPrecision": 0.8, "macroRecall": 0.8, "macroF1": 0.8,
                                        "perClass": [], "confusion": []}}],
             "sites": [{"name": "a", "trainExamples": 3, "testExamples": 1}]}
            """#

        let summary = try RunSummary.decode(from: Data(json.utf8))

        #expect(summary.rounds[0].screening == nil)
        #expect(summary.baselines[0].metrics.screening == nil)
        #expect(summary.sites[0].examples == nil)
        #expect(!(try summary.jsonData()).contains(Data("screening".utf8)))
    }
}
