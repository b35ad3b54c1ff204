import ArgumentParser
import FedCommands
import FedFetch
import FedLearning
import FedSupport
import Foundation

/// `fedtune embed`: sentence embeddings (or token ids) for texts on standard input, one
/// JSON array per line, so fedtune can be checked against any other implementation.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts from standard input with a BERT model folder; one JSON array per output line.",
        discussion: """
            Reads one text per line (with --jsonl, one JSON string per line, so a text may hold newlines \
            and tabs) and writes the L2-normalised mean-pooled embedding of each, or with --tokens its token ids. \
            MODEL is a Hugging Face BERT folder (config.json, vocab.txt, model.safetensors), e.g. the path \
            printed by `fedtune models fetch all-MiniLM-L6-v2`.
            """
    )

    @Option(help: "A BERT model folder, or the name of a model `fedtune models list` shows.") var model: String
    @OptionGroup var cacheOptions: CacheOptions
    @Flag(help: "Each input line is a JSON string.") var jsonl = false
    @Flag(help: "Write token ids instead of embeddings.") var tokens = false
    @Option(help: "Texts per forward pass.") var batchSize: Int = 32

    func validate() throws {
        guard self.batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        var embedding = try runReportingErrors {
            let folder =
                FileManager.default.fileExists(atPath: self.model)
                ? URL(fileURLWithPath: self.model)
                : try self.cacheOptions.artifactCache.model(named: self.model, log: progress)
            return try TextEmbedding(model: folder)
        }
        embedding.input = self.jsonl ? .jsonLines : .plain
        embedding.tokensOnly = self.tokens
        embedding.batchSize = self.batchSize
        let lines = AnyIterator { readLine(strippingNewline: true) }
        try runReportingErrors { try embedding.run(lines: lines, write: { print($0) }) }
    }
}
