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
}
