import FedLearning
import FedRounds
import Foundation

extension StateFolder {
    /// Where the coordinator leaves the final model, a folder `evaluate`, `predict` and
    /// `export` read.
    package var finalModelURL: URL { self.url.appendingPathComponent("model", isDirectory: true) }

    /// Writes the checkpoint of `round` (the newest finished round when nil) as a model
    /// folder at `folder`, which must not exist unless `replacing`; returns the round. The
    /// folder is written beside its place and moved there whole, so a failure leaves nothing.
    /// `bases` finds the base of a text checkpoint that keeps only the trained tensors.
    /// `decisionThreshold` is written into a two-class tabular model's model.json.
    @discardableResult
    package func exportModel(
        round: Int? = nil,
        to folder: URL,
        replacing: Bool = false,
        bases: BaseModelLocator = .standard,
        decisionThreshold: Double? = nil
    ) throws -> Int {
        let rounds = try self.records().map(\.round)
        guard let latest = rounds.max() else {
            throw CoordinatorError.noCheckpoint(
                path: self.url.path,
                detail: "no finished round is recorded in rounds.jsonl"
            )
        }
        let chosen = round ?? latest
        let checkpoint = self.checkpointURL(round: chosen)
        guard rounds.contains(chosen), let blob = FileManager.default.contents(atPath: checkpoint.path) else {
            let kept = rounds.filter { FileManager.default.fileExists(atPath: self.checkpointURL(round: $0).path) }
            throw CoordinatorError.noCheckpoint(
                path: self.url.path,
                detail:
                    "round \(chosen) has no checkpoint here (kept: \(kept.map(String.init).joined(separator: ", ")))"
            )
        }
        if !replacing, FileManager.default.fileExists(atPath: folder.path) {
            throw CoordinatorError.outputExists(path: folder.path)
        }
        let model = try ModelPackage.decodeAny(blob, source: checkpoint.path, bases: bases)
        if let decisionThreshold, case .tabular(let tabular) = model, tabular.classCount == 2 {
            tabular.setDecisionThreshold(decisionThreshold)
        }
        let staging = folder.deletingLastPathComponent()
            .appendingPathComponent(".\(folder.lastPathComponent).\(UUID().uuidString).partial")
        do {
            try model.save(to: staging)
            if FileManager.default.fileExists(atPath: folder.path) { try FileManager.default.removeItem(at: folder) }
            try FileManager.default.moveItem(at: staging, to: folder)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
        return chosen
    }
}

extension EvaluationRecord {
    /// The federation's decision threshold for the model of `round`: the example-weighted mean
    /// of the sites' `threshold` in that round's evaluation, or in the latest one before it
    /// that has one; nil when none does.
    package static func federatedThreshold(_ records: [EvaluationRecord], round: Int) -> Double? {
        records.filter { $0.round <= round && $0.metrics["threshold"]?.isFinite == true }
            .max { $0.round < $1.round }?.metrics["threshold"]
    }
}
