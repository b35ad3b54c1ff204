import FedLearning
import FedTensor
import FedText
import Foundation

/// `fedtune embed`: one text per input line in, one JSON array per output line out
/// (the normalised sentence embedding, or with `tokens` the token ids), so any other
/// implementation can be checked against fedtune line by line.
package struct TextEmbedding {
    package enum Input: Sendable {
        /// Each line is a text.
        case plain
        /// Each line is a JSON string, so texts may hold newlines and tabs.
        case jsonLines
    }

    package let encoder: SentenceEncoder
    package var input: Input = .plain
    package var tokensOnly = false
    package var batchSize = 32

    package init(model: URL) throws {
        self.encoder = try SentenceEncoder(try PretrainedBert.load(model))
    }

    /// Reads lines from `lines` and writes results to `write` in order, `chunk` lines at a
    /// time so memory stays bounded on long inputs.
    package func run(lines: some Sequence<String>, write: (String) -> Void, chunk: Int = 512) throws {
        var pending: [String] = []
        var lineNumber = 0
        for line in lines {
            lineNumber += 1
            pending.append(try self.text(line, lineNumber: lineNumber))
            if pending.count == chunk {
                self.emit(pending, write: write)
                pending.removeAll(keepingCapacity: true)
            }
        }
        if !pending.isEmpty { self.emit(pending, write: write) }
    }

    private func text(_ line: String, lineNumber: Int) throws -> String {
        switch self.input {
        case .plain:
            return line
        case .jsonLines:
            guard
                let text = try? JSONSerialization.jsonObject(with: Data(line.utf8), options: .fragmentsAllowed)
                    as? String
            else {
                throw TextEmbeddingError.notAJSONString(line: lineNumber)
            }
            return text
        }
    }

    private func emit(_ texts: [String], write: (String) -> Void) {
        if self.tokensOnly {
            for text in texts {
                write("[" + self.encoder.tokenizer.encode(text).map(String.init).joined(separator: ",") + "]")
            }
            return
        }
        for embedding in self.encoder.embed(texts, batchSize: self.batchSize) {
            write("[" + embedding.map { "\($0)" }.joined(separator: ",") + "]")
        }
    }
}

/// Why `fedtune embed` stopped.
package enum TextEmbeddingError: Error, CustomStringConvertible {
    case notAJSONString(line: Int)

    package var description: String {
        switch self {
        case .notAJSONString(let line):
            return
                "standard input, line \(line): with --jsonl every line must be one JSON string, e.g. \"a text\\twith a tab\""
        }
    }
}
