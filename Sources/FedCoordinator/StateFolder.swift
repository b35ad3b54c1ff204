import FedLearning
import FedRounds
import FedSupport
import FedTensor
import Foundation
import OrderedCollections

/// The coordinator's durable state: `global-NNNNN.safetensors` per finished round and
/// `rounds.jsonl`, one JSON line per round. Every file is written to a temporary name,
/// synced and renamed, so a crash leaves either the old state or the new, never a mix.
package struct StateFolder: Sendable {
    package let url: URL
    /// How many of the newest checkpoints to keep; nil keeps every round's. Resuming needs
    /// only the newest, and a fully fine-tuned encoder's checkpoint is large (90 MB for MiniLM).
    package var keepCheckpoints: Int?

    package init(_ url: URL, keepCheckpoints: Int? = nil) {
        self.url = url
        self.keepCheckpoints = keepCheckpoints
    }

    package func checkpointURL(round: Int) -> URL {
        self.url.appendingPathComponent(String(format: "global-%05d.safetensors", round))
    }

    package var roundsURL: URL { self.url.appendingPathComponent("rounds.jsonl") }

    /// The lock a coordinator holds on its state folder for as long as it runs.
    package var lockURL: URL { self.url.appendingPathComponent("coordinator.lock") }

    /// Takes the folder for one coordinator: refused, naming the folder and the holder's
    /// PID, while another coordinator runs on it. Released when the returned lock is.
    package func lock() throws -> FileLock {
        do {
            return try FileLock.acquire(self.lockURL)
        } catch FileLock.Failure.held(_, let holder) {
            throw CoordinatorError.stateFolderInUse(path: self.url.path, holder: holder)
        } catch let failure as FileLock.Failure {
            throw CoordinatorError.invalidConfiguration("\(failure) ---> HINT: check that the state folder is writable")
        }
    }

    /// Refuses a history that is not rounds 1, 2, 3, … each written once (two coordinators
    /// that once shared the folder, or hand edits), naming the first bad line.
    package func checkHistory() throws {
        guard let data = try? Data(contentsOf: self.roundsURL) else { return }
        var expected = 1
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            let number = index + 1
            let record: RoundRecord
            do {
                record = try JSONDecoder().decode(RoundRecord.self, from: Data(line))
            } catch {
                throw CoordinatorError.corruptState(
                    path: self.roundsURL.path,
                    line: number,
                    detail: "not a round record"
                )
            }
            guard record.round == expected else {
                let detail =
                    record.round < expected
                    ? "round \(record.round) is recorded twice" : "round \(expected) is missing (found \(record.round))"
                throw CoordinatorError.corruptState(path: self.roundsURL.path, line: number, detail: detail)
            }
            expected += 1
        }
    }

    /// The last finished round and its model, or nil for a fresh folder. A round counts as
    /// finished when both its checkpoint and its record are on disk: a crash between the
    /// two writes leaves a checkpoint that is redone, never a round missing from the record.
    package func latest() throws -> (round: Int, blob: Data)? {
        let names = Set((try? FileManager.default.contentsOfDirectory(atPath: self.url.path)) ?? [])
        let recorded = try self.records().map(\.round)
        guard let round = recorded.filter({ names.contains(self.checkpointURL(round: $0).lastPathComponent) }).max()
        else {
            return nil
        }
        return (round, try Data(contentsOf: self.checkpointURL(round: round)))
    }

    /// Saves a finished round: the model first, then its line in rounds.jsonl, so a
    /// record never names a checkpoint that is not on disk.
    /// Older checkpoints beyond `keepCheckpoints` are removed only after both are written.
    package func save(round: Int, modelBlob: Data, record: RoundRecord) throws {
        try AtomicFile.write(modelBlob, to: self.checkpointURL(round: round))
        try self.appendLine(record, to: self.roundsURL)
        if let keep = self.keepCheckpoints, round > keep {
            for old in 1...(round - keep)
            where FileManager.default.fileExists(atPath: self.checkpointURL(round: old).path) {
                try? FileManager.default.removeItem(at: self.checkpointURL(round: old))
            }
        }
    }

    package var evaluationsURL: URL { self.url.appendingPathComponent("evaluations.jsonl") }

    /// Appends one federated evaluation to evaluations.jsonl (atomically, as rounds.jsonl).
    package func save(evaluation: EvaluationRecord) throws {
        try self.appendLine(evaluation, to: self.evaluationsURL)
    }

    /// Every federated evaluation written so far.
    package func evaluations() throws -> [EvaluationRecord] {
        try self.lines(of: self.evaluationsURL)
    }

    private func appendLine(_ value: some Encodable, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var lines = (try? Data(contentsOf: url)) ?? Data()
        lines.append(try encoder.encode(value))
        lines.append(0x0A)
        // Rewriting the (small) log atomically keeps earlier lines safe from a torn append.
        try AtomicFile.write(lines, to: url)
    }

    private func lines<T: Decodable>(of url: URL) throws -> [T] {
        guard let data = try? Data(contentsOf: url) else { return [] }
        return try data.split(separator: 0x0A).map { try JSONDecoder().decode(T.self, from: Data($0)) }
    }

    /// Every round record written so far.
    package func records() throws -> [RoundRecord] {
        try self.lines(of: self.roundsURL)
    }
}
