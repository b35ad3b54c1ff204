extension TrainingConfiguration {
    /// The ranges every setting must fall in, whoever wrote it (a YAML file, the command
    /// line, or a coordinator over the wire): wide enough for any real fine-tune, narrow
    /// enough that no value overflows, turns non-finite, or trains without end.
    package enum Limits {
        package static let epochs = 1...10_000
        package static let batchSize = 1...1_000_000
        package static let patience = 1...10_000
        package static let learningRate: ClosedRange<Float> = 1e-12...10
        package static let classWeight: ClosedRange<Float> = 0...1e6
        package static let classWeightCount = 100_000
        package static let proximalMu: ClosedRange<Float> = 0...1_000
        package static let smoteNeighbors = 1...100
        package static let focalGamma: ClosedRange<Float> = 0...10
    }

    /// Every setting out of its range, named by its snake_case key (empty when all are fine).
    package var problems: [String] {
        var problems: [String] = []
        func check<T: Comparable>(_ key: String, _ value: T, _ range: ClosedRange<T>) {
            if !range.contains(value) {
                problems.append("\(key) must be in \(range.lowerBound)...\(range.upperBound), found \(value)")
            }
        }
        check("epochs", self.epochs, Limits.epochs)
        check("batch_size", self.batchSize, Limits.batchSize)
        if let patience = self.patience { check("patience", patience, Limits.patience) }
        if !self.learningRate.isFinite || !Limits.learningRate.contains(self.learningRate) {
            problems.append("learning_rate must be a number in (0, 10], found \(self.learningRate)")
        }
        if !(0...1).contains(self.warmupFraction) {
            problems.append("warmup_fraction must be in 0...1, found \(self.warmupFraction)")
        }
        if let norm = self.gradientClipNorm, !(norm.isFinite && norm > 0) {
            problems.append("gradient_clip_norm must be a positive number, found \(norm)")
        }
        if !(0..<1).contains(self.labelSmoothing) {
            problems.append("label_smoothing must be in [0, 1), found \(self.labelSmoothing)")
        }
        if let weights = self.classWeights {
            if weights.count > Limits.classWeightCount || weights.isEmpty {
                problems.append(
                    "class_weights must have 1...\(Limits.classWeightCount) weights, found \(weights.count)"
                )
            } else if !weights.allSatisfy({ Limits.classWeight.contains($0) }) || !weights.contains(where: { $0 > 0 }) {
                problems.append("class_weights must be numbers in 0...1000000, at least one above 0")
            }
        }
        if !Limits.proximalMu.contains(self.proximalMu) {
            problems.append("proximal_mu must be in 0...1000, found \(self.proximalMu)")
        }
        problems += self.imbalanceProblems
        problems += self.optimizer.problems
        return problems
    }
}

extension OptimizerConfiguration {
    /// Every optimizer setting out of its range, named as in YAML (`optimizer.…`).
    package var problems: [String] {
        var problems: [String] = []
        if !(0..<1).contains(self.momentum) {
            problems.append("optimizer.momentum must be in [0, 1), found \(self.momentum)")
        }
        if !(0...1).contains(self.weightDecay) {
            problems.append("optimizer.weight_decay must be in 0...1, found \(self.weightDecay)")
        }
        if !(0..<1).contains(self.beta1) { problems.append("optimizer.beta1 must be in [0, 1), found \(self.beta1)") }
        if !(0..<1).contains(self.beta2) { problems.append("optimizer.beta2 must be in [0, 1), found \(self.beta2)") }
        if !(self.epsilon.isFinite && self.epsilon > 0 && self.epsilon <= 1) {
            problems.append("optimizer.epsilon must be in (0, 1], found \(self.epsilon)")
        }
        return problems
    }
}
