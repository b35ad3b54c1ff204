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
            if Self.isCommonPreUnicode9(scalar.value) || RustUnicodeTables.hasDecompositionData(scalar) {
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

    /// Latin, IPA, Greek, Cyrillic, their combining marks and the Latin and Greek extended
    /// blocks: every scalar assigned there predates Unicode 9.0, so the age lookup is skipped
    /// for the scalars most text uses. (An unassigned one there decomposes to itself either way.)
    private static func isCommonPreUnicode9(_ value: UInt32) -> Bool {
        value < 0x530 || (value >= 0x1E00 && value < 0x2000)
    }

    private static func appendRun(
        _ run: ArraySlice<Unicode.Scalar>,
        decomposing: Bool,
        to output: inout [Unicode.Scalar]
    ) {
        guard decomposing else {
            output.append(contentsOf: run)
            return
        }
        // Through UTF-8 bytes: appending scalars to a `String.UnicodeScalarView` one by one
        // costs more than Foundation's NFD itself.
        var utf8: [UInt8] = []
        utf8.reserveCapacity(run.count * 3)
        for scalar in run {
            UTF8.encode(scalar) { utf8.append($0) }
        }
        let text = String(decoding: utf8, as: UTF8.self)
        output.append(contentsOf: text.decomposedStringWithCanonicalMapping.unicodeScalars)
    }
}
