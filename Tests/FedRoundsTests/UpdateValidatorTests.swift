import FedTensor
import OrderedCollections
import Testing

@testable import FedRounds

struct UpdateValidatorTests {
    /// One tensor of `count` values 1, 2, 3, … (Σ k² = n(n+1)(2n+1)/6, exact in Double).
    static func ramp(_ count: Int) -> OrderedDictionary<String, Tensor> {
        ["w": Tensor(shape: [count], scalars: (1...count).map { Float($0) })]
    }

    // Lengths below, at and around the 16-wide vector step, so the vector body and the tail both count.
    @Test(arguments: [1, 7, 15, 16, 17, 31, 32, 33, 1000])
    func squaredNormMatchesTheSumOfSquares(count: Int) throws {
        let spec = TensorSpec([(name: "w", shape: [count])])

        let squared = try UpdateValidator.squaredNorm(of: Self.ramp(count), spec: spec, examples: 1)

        #expect(squared == Double(count * (count + 1) * (2 * count + 1) / 6))
    }

    @Test func squaredNormAddsUpEveryTensor() throws {
        let spec = TensorSpec([(name: "w", shape: [2]), (name: "b", shape: [1])])
        let update: OrderedDictionary<String, Tensor> = [
            "b": Tensor(shape: [1], scalars: [4]), "w": Tensor(shape: [2], scalars: [3, 0]),
        ]

        #expect(try UpdateValidator.squaredNorm(of: update, spec: spec, examples: 1) == 25)
    }

    @Test func largestFloatsAreFiniteAndDoNotOverflow() throws {
        let spec = TensorSpec([(name: "w", shape: [20])])
        let update: OrderedDictionary<String, Tensor> = ["w": Tensor(shape: [20], repeating: -.greatestFiniteMagnitude)]

        let squared = try UpdateValidator.squaredNorm(of: update, spec: spec, examples: 1)

        let largest = Double(Float.greatestFiniteMagnitude)
        #expect(abs(squared / (20 * largest * largest) - 1) < 1e-15)
    }

    static let nonFiniteValues: [Float] = [.nan, .infinity, -.infinity, .signalingNaN]

    // Index 3 falls in the vector body of a 20-value tensor, index 18 in its tail.
    @Test(arguments: nonFiniteValues, [3, 18])
    func nonFiniteValueAnywhereIsRejected(value: Float, index: Int) {
        let spec = TensorSpec([(name: "w", shape: [20]), (name: "b", shape: [20])])
        var b = Tensor(shape: [20], repeating: 1)
        b.scalars[index] = value
        let update: OrderedDictionary<String, Tensor> = ["w": Tensor(shape: [20], repeating: 1), "b": b]

        #expect(throws: UpdateRejection.nonFinite(tensor: "b")) {
            try UpdateValidator.squaredNorm(of: update, spec: spec, examples: 1)
        }
        #expect(UpdateValidator.problem(in: update, spec: spec, examples: 1) == .nonFinite(tensor: "b"))
    }

    @Test func shapeProblemsAreReportedBeforeValues() {
        let spec = TensorSpec([(name: "w", shape: [2]), (name: "b", shape: [1])])
        let update: OrderedDictionary<String, Tensor> = [
            "w": Tensor(shape: [2], scalars: [.nan, 0]), "b": Tensor(shape: [2]),
        ]

        #expect(
            UpdateValidator.problem(in: update, spec: spec, examples: 1)
                == .wrongShape(tensor: "b", expected: [1], found: [2])
        )
    }

    @Test func validUpdateHasNoProblem() {
        let spec = TensorSpec([(name: "w", shape: [40])])

        #expect(UpdateValidator.problem(in: Self.ramp(40), spec: spec, examples: 3) == nil)
    }
}
