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
        } catch FileLock.Failure.unavailable(_, let reason) {
            throw CoordinatorError.stateNotWritable(path: self.url.path, reason: reason)
        }
    }

    /// Files the coordinator writes are for its operator only: the model and what sites did.
    package static let permissions: mode_t = 0o600

    /// Readies the folder for a coordinator: creates it, checks that it can be written
    /// (before any site is let in), deletes temporary files an interrupted write left, and
    /// cuts a line torn by a crash mid-append off the end of rounds.jsonl and
    /// evaluations.jsonl (that round is then redone). Returns what was cleaned up, for the log.
    package func prepare() throws -> [String] {
        do {
            try AtomicFile.createFolder(self.url)
            let probe = self.url.appendingPathComponent(".write-check")
            try AtomicFile.write(Data("fedtune\n".utf8), to: probe, permissions: Self.permissions)
            try FileManager.default.removeItem(at: probe)
        } catch {
            throw CoordinatorError.stateNotWritable(path: self.url.path, reason: "\(error)")
        }
        var notes: [String] = []
        let updates = MappedUpdateStore.removeStale(in: self.url)
        if updates > 0 { notes.append("removed \(updates) file(s) of updates a stopped round kept for robust aggregation") }
        let stale = AtomicFile.removeStale(in: self.url)
        if stale > 0 { notes.append("removed \(stale) temporary file(s) an interrupted write left") }
        for url in [self.roundsURL, self.evaluationsURL] {
            guard let data = try? Data(contentsOf: url), let last = data.last, last != 0x0A else { continue }
            let keep = data.lastIndex(of: 0x0A).map { $0 + 1 } ?? data.startIndex
            try AtomicFile.write(data[..<keep], to: url, permissions: Self.permissions)
            notes.append("cut a torn last line off \(url.lastPathComponent) (\(data.count - keep) bytes)")
        }
        return notes
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
    /// The checkpoint must have the SHA-256 its record names (a flipped bit is refused).
    package func latest() throws -> (round: Int, blob: Data)? {
        let names = Set((try? FileManager.default.contentsOfDirectory(atPath: self.url.path)) ?? [])
        let records = try self.records()
        guard
            let record = records.filter({ names.contains(self.checkpointURL(round: $0.round).lastPathComponent) })
                .max(by: { $0.round < $1.round })
        else {
            return nil
        }
        let url = self.checkpointURL(round: record.round)
        let blob = try Data(contentsOf: url)
        let digest = record.digest
        if !digest.isEmpty, sha256Hex(blob) != digest {
            throw CoordinatorError.corruptCheckpoint(
                path: url.path,
                round: record.round,
                detail: "its SHA-256 is \(sha256Hex(blob)), rounds.jsonl recorded \(digest)"
            )
        }
        return (record.round, blob)
    }

    /// Saves a finished round: the model first, then its line in rounds.jsonl, so a
    /// record never names a checkpoint that is not on disk.
    /// Older checkpoints beyond `keepCheckpoints` are removed only after both are written.
    ///
    /// `serverState` (a server optimizer's momentum and moments) is written first, as
    /// `server-NNNNN.safetensors`, so a checkpoint on disk always has its optimizer state.
    package func save(
        round: Int,
        modelBlob: Data,
        record: RoundRecord,
        serverState: OrderedDictionary<String, Tensor> = [:]
    ) throws {
        if !serverState.isEmpty {
            try AtomicFile.write(
                Safetensors(tensors: serverState).encoded(), to: self.serverStateURL(round: round),
                permissions: Self.permissions)
        }
        try AtomicFile.write(modelBlob, to: self.checkpointURL(round: round), permissions: Self.permissions)
        try self.appendLine(record, to: self.roundsURL)
        if let keep = self.keepCheckpoints, round > keep {
            for old in 1...(round - keep) {
                for url in [self.checkpointURL(round: old), self.serverStateURL(round: old)]
                where FileManager.default.fileExists(atPath: url.path) {
                    try? FileManager.default.removeItem(at: url)
                }
            }
        }
    }

    package func serverStateURL(round: Int) -> URL {
        self.url.appendingPathComponent(String(format: "server-%05d.safetensors", round))
    }

    /// The server optimizer's state saved with `round`, empty when there is none (plain FedAvg).
    package func serverState(round: Int) throws -> OrderedDictionary<String, Tensor> {
        let url = self.serverStateURL(round: round)
        guard let data = try? Data(contentsOf: url) else { return [:] }
        return try Safetensors.decode(data, path: url.path).tensors
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

    /// Appends one line (O_APPEND, synced); a crash mid-append leaves a torn last line
    /// without its newline, which `prepare` cuts off at the next start.
    private func appendLine(_ value: some Encodable, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(value)
        line.append(0x0A)
        try AtomicFile.append(line, to: url, permissions: Self.permissions)
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
