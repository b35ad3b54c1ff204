import FedData
import FedTensor
import Foundation
import OrderedCollections

/// Trains a classifier on standardised data with minibatch gradient descent: seeded
/// shuffling, a learning-rate schedule, optional gradient clipping, and early stopping
/// on validation loss that restores the best weights.
///
/// A step allocates nothing: the batch, every layer's buffers, the loss's buffers and the
/// optimizer's moments are sized on the first step of a batch shape and reused.
package struct Trainer {
    package var configuration: TrainingConfiguration
    package var progress: any ProgressReporter

    package init(configuration: TrainingConfiguration, progress: any ProgressReporter = SilentProgress()) {
        self.configuration = configuration
        self.progress = progress
    }

    /// Trains `model` in place on `train`, watching `validation` when given. Given the round's
    /// global tensors as `proximalAnchor` and `proximalMu` > 0, each step adds FedProx's
    /// gradient μ·(w − w_global) (`ProximalTerm`); without an anchor (training outside a round,
    /// a pooled baseline) there is no term.
    /// - Throws: `TrainingError.nonFiniteLoss` as soon as a batch loss is NaN or
    ///   infinite; the model is then left as it was before that step's update.
    package func fit<Model: TrainableClassifier>(
        _ model: Model,
        train: Model.Examples,
        validation: Model.Examples? = nil,
        proximalAnchor: OrderedDictionary<String, Tensor>? = nil
    ) throws -> TrainingHistory {
        let config = self.configuration
        guard train.count > 0 else { throw TrainingError.emptyData(detail: "the training split has no examples") }
        let problems = config.problems
        guard problems.isEmpty else {
            throw TrainingError.invalidConfiguration(detail: problems.joined(separator: "; "))
        }
        let classes = model.classCount
        if let weights = config.classWeights, weights.count != classes {
            throw TrainingError.invalidConfiguration(detail: "\(weights.count) class weights for \(classes) classes")
        }
        // Re-sampling draws from its own generator, so the shuffles are the same with it or without.
        var resampling = SeededGenerator(seed: config.seed ^ 0x5EED_5A3B_1E00_0001)
        let (train, start) = try ImbalanceSampler.prepare(
            train,
            classes: classes,
            configuration: config,
            generator: &resampling
        )
        var weights = config.classWeights
        if weights == nil, config.balanceClasses {
            var counts = [Int](repeating: 0, count: classes)
            for index in start { counts[train.labels[index]] += 1 }
            weights = TrainingConfiguration.balancedClassWeights(counts: counts)
        }
        let loss: any ClassificationLoss =
            config.loss == .focal
            ? FocalLoss(classes: classes, gamma: config.focalGamma, classWeights: weights)
            : SoftmaxCrossEntropy(classes: classes, classWeights: weights, labelSmoothing: config.labelSmoothing)
        var optimizer = config.optimizer.make()
        var proximal: ProximalTerm?
        if config.proximalMu > 0, let anchor = proximalAnchor {
            proximal = ProximalTerm(mu: config.proximalMu, anchor: anchor, parameters: model.parameters)
        }
        let batchesPerEpoch = (start.count + config.batchSize - 1) / config.batchSize
        let schedule = config.learningRateSchedule(totalSteps: batchesPerEpoch * config.epochs)
        var generator = SeededGenerator(seed: config.seed)
        var order = start
        var batchLabels: [Int] = []
        batchLabels.reserveCapacity(config.batchSize)

        var history = TrainingHistory(examples: start.count)
        var best: (loss: Float, epoch: Int, weights: ParameterStore)?
        var step = 0
        for epoch in 1...config.epochs {
            let started = Date()
            generator.shuffle(&order)
            var lossSum: Double = 0
            var correct = 0
            var rate: Float = 0
            for b in 0..<batchesPerEpoch {
                let range = (b * config.batchSize)..<Swift.min((b + 1) * config.batchSize, order.count)
                batchLabels.removeAll(keepingCapacity: true)
                for i in range { batchLabels.append(train.labels[order[i]]) }

                let logits = model.logits(train, rows: order[range], training: true)
                let value = loss.forward(logits, targets: batchLabels)
                guard value.isFinite else {
                    throw TrainingError.nonFiniteLoss(epoch: epoch, step: step + 1, loss: value)
                }
                correct += countCorrect(logits, batchLabels)
                lossSum += Double(value) * Double(range.count)

                model.parameters.zeroGradients()
                loss.backward(targets: batchLabels)
                model.backward(logitsGradient: loss.logitsGradient)
                proximal?.addGradient(to: &model.parameters)
                if let clip = config.gradientClipNorm { model.parameters.clipGradientNorm(clip) }
                rate = config.learningRate * schedule.factor(at: step)
                optimizer.step(&model.parameters, learningRate: rate)
                step += 1
                self.progress.batchFinished(
                    epoch: epoch,
                    of: config.epochs,
                    batch: b + 1,
                    of: batchesPerEpoch,
                    loss: value
                )
            }

            var record = EpochRecord(
                epoch: epoch,
                trainLoss: Float(lossSum / Double(order.count)),
                trainAccuracy: Double(correct) / Double(order.count),
                learningRate: rate,
                seconds: 0
            )
            if let validation, validation.count > 0 {
                let (validationLoss, validationAccuracy) = evaluateLoss(model, validation, loss)
                record.validationLoss = validationLoss
                record.validationAccuracy = validationAccuracy
                if validationLoss.isFinite, validationLoss < (best?.loss ?? .infinity) {
                    best = (validationLoss, epoch, model.parameters)
                }
            }
            record.seconds = Date().timeIntervalSince(started)
            history.epochs.append(record)
            self.progress.epochFinished(record, of: config.epochs)
            if let patience = config.patience, let best, epoch - best.epoch >= patience {
                history.stoppedEarly = true
                break
            }
        }
        history.bestEpoch = history.epochs.count
        if let best, config.patience != nil {
            // Early stopping keeps the weights of the epoch with the best validation loss.
            model.parameters = best.weights
            history.bestEpoch = best.epoch
        }
        if let target = config.threshold, classes == 2, let validation, validation.count > 0 {
            history.decisionThreshold = try model.chooseThreshold(
                validation,
                target: target,
                source: "the validation split (\(validation.count) examples)"
            )
        }
        return history
    }
}

/// Number of rows of `logits` whose largest entry is the target.
private func countCorrect(_ logits: Tensor, _ targets: [Int]) -> Int {
    let classes = logits.columns
    var correct = 0
    logits.scalars.withUnsafeBufferPointer { z in
        for (row, target) in targets.enumerated() {
            var best = 0
            for c in 1..<classes where z[row * classes + c] > z[row * classes + best] { best = c }
            if best == target { correct += 1 }
        }
    }
    return correct
}

/// Mean loss and accuracy over a dataset in evaluation mode (no dropout).
package func evaluateLoss<Model: TrainableClassifier>(
    _ model: Model,
    _ data: Model.Examples,
    _ loss: any ClassificationLoss,
    batchSize: Int = 1024
) -> (loss: Float, accuracy: Double) {
    let all = Array(0..<data.count)
    var total: Double = 0
    var correct = 0
    var start = 0
    while start < data.count {
        let end = Swift.min(start + batchSize, data.count)
        let targets = Array(data.labels[start..<end])
        let logits = model.logits(data, rows: all[start..<end], training: false)
        total += Double(loss.forward(logits, targets: targets)) * Double(end - start)
        correct += countCorrect(logits, targets)
        start = end
    }
    return (Float(total / Double(Swift.max(data.count, 1))), Double(correct) / Double(Swift.max(data.count, 1)))
}
