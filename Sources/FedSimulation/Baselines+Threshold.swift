import FedLearning

extension Baselines {
    /// Whether the baselines decide by a tuned threshold: local training asks for a
    /// `threshold_target` and the model is a two-class tabular one (the kind whose model.json
    /// carries `decisionThreshold`).
    var tunesThreshold: Bool {
        guard self.training.threshold != nil, self.setup.model.classCount == 2 else { return false }
        if case .tabular = self.setup.model.anyClassifier { return true }
        return false
    }

    /// Sets the model's decision threshold (nil: argmax); only a tabular model keeps one.
    func setThreshold(_ threshold: Double?) {
        if case .tabular(let model) = self.setup.model.anyClassifier { model.setDecisionThreshold(threshold) }
    }

    /// With threshold tuning, the threshold meeting the target for the model as it stands,
    /// chosen on `validation` — the held-out data the model's owner has, as the federation's
    /// sites choose theirs on their held-out data — and set on the model. Without tuning, or
    /// when the target cannot be met there (no positives held out), the model decides by argmax.
    func tuneThreshold(on validation: Model.Examples, owner: String) {
        self.setThreshold(nil)
        guard self.tunesThreshold, let target = self.training.threshold, validation.count > 0 else { return }
        do {
            let threshold = try self.setup.model.chooseThreshold(
                validation,
                target: target,
                source: "\(owner)'s held-out data"
            )
            self.setThreshold(threshold)
        } catch {
            self.log("\(owner): no decision threshold (\(error)); deciding by argmax")
        }
    }

    /// All sites' held-out data pooled: where centralised training and the pretrained model
    /// choose their threshold.
    var pooledHeldOut: Model.Examples {
        Model.concatenate(self.setup.sites.map(\.heldOut), classNames: self.setup.classNames)
    }
}
