import FedTensor
import OrderedCollections

extension ServerOptimizer {
    /// The name of the step count in `state`, a one-element tensor.
    package static let stepName = "server.step"

    /// The prefix of fedavgm's momentum, of m and of v in `state` (followed by the tensor's name).
    package static let momentumPrefix = "server.momentum/"
    package static let firstMomentPrefix = "server.m/"
    package static let secondMomentPrefix = "server.v/"

    /// Its state as named tensors for the checkpoint: the step count (`server.step`, [1]) and
    /// fedavgm's momentum (`server.momentum/<tensor>`) or m and v (`server.m/<tensor>`,
    /// `server.v/<tensor>`) in `spec`'s order; empty for fedavg and for fedavgm with β = 0,
    /// which keep nothing between rounds.
    package var state: OrderedDictionary<String, Tensor> {
        guard !self.first.isEmpty else { return [:] }
        var out: OrderedDictionary<String, Tensor> = [Self.stepName: Tensor(shape: [1], scalars: [Float(self.steps)])]
        let firstPrefix = self.settings.kind == .fedavgm ? Self.momentumPrefix : Self.firstMomentPrefix
        for (index, entry) in self.spec.entries.enumerated() {
            out[firstPrefix + entry.name] = self.first[index]
        }
        for (index, entry) in self.spec.entries.enumerated() where !self.second.isEmpty {
            out[Self.secondMomentPrefix + entry.name] = self.second[index]
        }
        return out
    }

    /// Restores an optimizer from `state` (what `state` returned): the names must be exactly
    /// those this kind keeps for `spec`, each with the spec's shape, every value finite, v never
    /// negative, and the step count a whole number in 0…2^24; otherwise the first problem is
    /// thrown as a plain sentence naming the tensor.
    package init(
        settings: ServerOptimizerSettings,
        spec: TensorSpec,
        restoring state: OrderedDictionary<String, Tensor>
    ) throws(ServerOptimizerError) {
        self.init(settings: settings, spec: spec)
        let expected = self.state
        let kind = self.settings.kind
        for name in state.keys where expected[name] == nil {
            throw .unexpectedState(name: name, kind: kind)
        }
        for (name, fresh) in expected {
            guard let saved = state[name] else { throw .missingState(name: name, kind: kind) }
            guard saved.shape == fresh.shape else {
                throw .misshapenState(name: name, expected: fresh.shape, found: saved.shape)
            }
            guard saved.scalars.allSatisfy(\.isFinite) else {
                throw .corruptState(name: name, detail: "holds a value that is not finite")
            }
            if name.hasPrefix(Self.secondMomentPrefix), saved.scalars.contains(where: { $0 < 0 }) {
                throw .corruptState(name: name, detail: "holds a negative second moment")
            }
        }
        guard let stepTensor = state[Self.stepName] else { return }
        let step = stepTensor.scalars[0]
        guard step >= 0, step <= Float(Self.maxSteps), step == step.rounded() else {
            throw .corruptState(name: Self.stepName, detail: "is \(step), not a whole number in 0...\(Self.maxSteps)")
        }
        self.steps = Int(step)
        let firstPrefix = kind == .fedavgm ? Self.momentumPrefix : Self.firstMomentPrefix
        for (index, entry) in spec.entries.enumerated() {
            self.first[index] = state[firstPrefix + entry.name]!
            if !self.second.isEmpty { self.second[index] = state[Self.secondMomentPrefix + entry.name]! }
        }
    }
}
