import FedLearning
import FedRounds
import Foundation

/// The models a federation is compared with, each trained from the same pretrained start
/// and scored on the same global test set: the pretrained model (or its linear probe),
/// each site fine-tuning alone, and centralised fine-tuning on all sites' data pooled.
struct Baselines<Model: SimulatedModel> {
    let scenario: Scenario
    let setup: SimulationSetup<Model>
    /// The local training configuration of one round (class weights resolved).
    let training: TrainingConfiguration
    let log: (String) -> Void

    /// Epochs a site trains for in the whole federation: its local epochs times the rounds
    /// it takes part in (all of them, or the expected share when rounds sample sites).
    var totalEpochs: Int {
        let sites = self.setup.sites.count
        let share = Double(self.scenario.sample.count(of: sites)) / Double(Swift.max(sites, 1))
        return Swift.max(1, Int((Double(self.training.epochs * self.scenario.rounds) * share).rounded()))
    }

    /// The class a screening test looks for (`image.positive_class`), scored on the test set.
    private var positiveClass: Int? { self.scenario.positiveClassIndex(in: self.setup.classNames) }

    private var longTraining: TrainingConfiguration {
        var configuration = self.training
        configuration.epochs = self.totalEpochs
        return configuration
    }

    /// Each site fine-tunes the pretrained model alone for as many epochs as the
    /// federation gives it in total.
    func sitesAlone() throws -> [SiteAloneScore] {
        var results: [SiteAloneScore] = []
        for (index, site) in self.setup.sites.enumerated() {
            let started = Date()
            try self.setup.reset()
            var configuration = self.longTraining
            configuration.seed = self.scenario.seed &+ 7_001 &+ UInt64(index)
            _ = try Trainer(configuration: configuration).fit(self.setup.model, train: site.train)
            self.tuneThreshold(on: site.heldOut, owner: "site \(site.name) alone")
            let own = site.heldOut.count > 0 ? Score(self.setup.model, site.heldOut) : nil
            let test = Score(self.setup.model, self.setup.test, positiveClass: self.positiveClass)
            results.append(SiteAloneScore(test: test, own: own))
            self.log(
                "site \(site.name) alone: "
                    + String(
                        format: "accuracy %.4f (%.1f s)",
                        results.last!.test.accuracy,
                        Date().timeIntervalSince(started)
                    )
            )
        }
        try self.setup.reset()
        self.setThreshold(nil)
        return results
    }

    /// The pretrained model fine-tuned on every site's training data pooled: what the
    /// federation would reach if the data could be moved (its upper bound).
    func centralised() throws -> Score {
        let started = Date()
        try self.setup.reset()
        var configuration = self.longTraining
        configuration.seed = self.scenario.seed &+ 8_001
        _ = try Trainer(configuration: configuration).fit(self.setup.model, train: self.setup.pooledTraining())
        self.tuneThreshold(on: self.pooledHeldOut, owner: "centralised training")
        let score = Score(self.setup.model, self.setup.test, positiveClass: self.positiveClass)
        try self.setup.reset()
        self.setThreshold(nil)
        self.log(
            String(format: "centralised: accuracy %.4f (%.1f s)", score.accuracy, Date().timeIntervalSince(started))
        )
        return score
    }

    /// The pretrained model as it is, or, when its head is new, a linear probe: the head
    /// alone trained on the frozen encoder's embeddings of the pooled training data.
    func pretrained() throws -> Score {
        guard let probe = self.setup.probe else {
            try self.setup.reset()
            self.tuneThreshold(on: self.pooledHeldOut, owner: "the pretrained model")
            defer { self.setThreshold(nil) }
            return Score(self.setup.model, self.setup.test, positiveClass: self.positiveClass)
        }
        let started = Date()
        var configuration = self.longTraining
        configuration.seed = self.scenario.seed &+ 9_001
        _ = try Trainer(configuration: configuration).fit(probe, train: self.setup.pooledTraining())
        let score = Score(probe, self.setup.test, positiveClass: self.positiveClass)
        // In head mode the probe is the model itself.
        try self.setup.reset()
        self.log(
            String(format: "linear probe: accuracy %.4f (%.1f s)", score.accuracy, Date().timeIntervalSince(started))
        )
        return score
    }
}
