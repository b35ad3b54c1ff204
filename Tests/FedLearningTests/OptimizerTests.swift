import FedTensor
import Testing

@testable import FedLearning

struct OptimizerTests {
    static func store(_ values: [Float], grad: [Float]) -> ParameterStore {
        var store = ParameterStore()
        store.add("w", Tensor(shape: [values.count], scalars: values))
        store[0].grad = Tensor(shape: [grad.count], scalars: grad)
        return store
    }

    @Test func sgdWithMomentumAndWeightDecayMatchesHandComputedSteps() {
        var store = Self.store([1, -2], grad: [0.5, 0.1])
        var sgd = SGD(momentum: 0.9, weightDecay: 0.01)

        sgd.step(&store, learningRate: 0.1)
        let first = store[0].value.scalars
        sgd.step(&store, learningRate: 0.1)

        // g' = g + λw; b = μb + g'; w −= lr·b
        #expect(zip(first, [0.949, -2.008]).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(zip(store[0].value.scalars, [0.852151, -2.023192]).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func adamWMatchesHandComputedSteps() {
        var store = Self.store([1], grad: [0.5])
        var adam = AdamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01)

        adam.step(&store, learningRate: 0.1)
        let first = store[0].value.scalars[0]
        store[0].grad = Tensor(shape: [1], scalars: [-0.2])
        adam.step(&store, learningRate: 0.1)

        // Values from PyTorch's AdamW update rule, evaluated in float64.
        #expect(abs(first - 0.899) < 1e-6)
        #expect(abs(store[0].value.scalars[0] - 0.86354042) < 1e-6)
    }

    @Test func frozenParametersAreNeverUpdated() {
        var store = Self.store([1, 2], grad: [1, 1])
        store[0].trainable = false
        var adam = AdamW()
        var sgd = SGD(momentum: 0.9, weightDecay: 0.1)

        adam.step(&store, learningRate: 0.5)
        sgd.step(&store, learningRate: 0.5)

        #expect(store[0].value.scalars == [1, 2])
    }

    @Test func schedulesWarmUpThenDecay() {
        let linear = LearningRateSchedule.linear(warmupSteps: 4, totalSteps: 14)
        let cosine = LearningRateSchedule.cosine(warmupSteps: 0, totalSteps: 10)

        #expect(LearningRateSchedule.constant.factor(at: 1000) == 1)
        #expect([0, 1, 3].map { linear.factor(at: $0) } == [0.25, 0.5, 1])
        #expect(abs(linear.factor(at: 9) - 0.5) < 1e-6)
        #expect(linear.factor(at: 14) == 0)
        #expect(abs(cosine.factor(at: 0) - 1) < 1e-6)
        #expect(abs(cosine.factor(at: 5) - 0.5) < 1e-6)
        #expect(abs(cosine.factor(at: 10)) < 1e-6)
    }

    @Test func globalNormClippingScalesAllGradientsTogether() {
        var store = ParameterStore()
        store.add("a", Tensor(shape: [2]))
        store.add("b", Tensor(shape: [1]))
        store[0].grad = Tensor(shape: [2], scalars: [3, 0])
        store[1].grad = Tensor(shape: [1], scalars: [4])

        let before = store.clipGradientNorm(1)

        #expect(before == 5)
        #expect(store[0].grad.scalars == [0.6, 0])
        #expect(abs(store[1].grad.scalars[0] - 0.8) < 1e-7)
        #expect(abs(store.gradientNorm() - 1) < 1e-6)
    }
}
