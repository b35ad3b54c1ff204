import FedTensor

/// Counts a model's weights with checked arithmetic from its description alone, so a
/// description that would overflow or need more memory than any model fedtune runs is
/// refused before a single tensor is allocated (a hidden width of 2^62, or 100000 × 100000).
package struct TensorBudget: Sendable {
    /// The most weights a model may have: 2^31 F32 scalars, 8 GiB (MiniLM has 22.7 million).
    package static let maximumScalars = 1 << 31

    /// The weights counted so far; nil once a product or sum overflowed or passed the maximum.
    package private(set) var scalars: Int? = 0

    package init() {}

    /// Adds `count` tensors of `factors` multiplied together.
    package mutating func add(_ factors: Int..., count: Int = 1) {
        var product = count
        for factor in factors {
            guard self.scalars != nil, factor >= 0 else {
                self.scalars = nil
                return
            }
            let (next, overflow) = product.multipliedReportingOverflow(by: factor)
            guard !overflow else {
                self.scalars = nil
                return
            }
            product = next
        }
        guard let current = self.scalars else { return }
        let (sum, overflow) = current.addingReportingOverflow(product)
        self.scalars = overflow || sum > Self.maximumScalars ? nil : sum
    }

    /// Refuses tensors that hold fewer weights than `needed` counts (a description bigger
    /// than its file), before a model of the described size is allocated.
    package static func check(_ needed: TensorBudget, against tensors: some Collection<Tensor>, source: String) throws {
        let held = tensors.reduce(0) { $0 + $1.count }
        guard let scalars = needed.scalars, scalars <= held else {
            throw ModelError.invalidArchitecture(
                path: source,
                detail:
                    "the description needs \(needed.scalars.map(String.init) ?? "too many") weights but the tensors hold \(held)"
            )
        }
    }

    /// The problem with a description whose weights cannot be counted or are too many, naming `what`.
    package func problem(_ what: String) -> String? {
        guard self.scalars == nil else { return nil }
        return "\(what) would have more than \(Self.maximumScalars) weights (8 GiB), more than fedtune runs"
    }
}
