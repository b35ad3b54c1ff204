import Foundation

/// NFD (canonical decomposition and reordering) as Rust's `tokenizers` computes it.
///
/// Foundation does the work; what is added is Rust's older table (`RustUnicodeTables`): a
/// scalar assigned after Unicode 9.0 is passed through as a starter, neither decomposed
/// (U+11938 stays whole) nor reordered with the combining marks around it. Splitting the
/// text at such a scalar and decomposing the pieces gives exactly that, because canonical
/// reordering never moves a mark across a starter.
enum CanonicalDecomposition {
    /// Appends the NFD of `scalars` to `output`.
    static func append(_ scalars: ArraySlice<Unicode.Scalar>, to output: inout [Unicode.Scalar]) {
        var start = scalars.startIndex
        var needsFoundation = false
        for index in scalars.indices {
            let scalar = scalars[index]
            // Below U+00C0 nothing decomposes and every combining class is 0.
            guard scalar.value >= 0xC0 else { continue }
            if RustUnicodeTables.hasDecompositionData(scalar) {
                needsFoundation = true
            } else {
                Self.appendRun(scalars[start..<index], decomposing: needsFoundation, to: &output)
                output.append(scalar)
                start = index + 1
                needsFoundation = false
            }
        }
        Self.appendRun(scalars[start...], decomposing: needsFoundation, to: &output)
    }

    private static func appendRun(_ run: ArraySlice<Unicode.Scalar>, decomposing: Bool, to output: inout [Unicode.Scalar]) {
        guard decomposing else {
            output.append(contentsOf: run)
            return
        }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: run)
        output.append(contentsOf: String(text).decomposedStringWithCanonicalMapping.unicodeScalars)
    }
}
