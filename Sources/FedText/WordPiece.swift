/// WordPiece (Hugging Face's `WordPiece` model with prefix `##`): greedy longest match first,
/// from the left, over one pre-tokenised word.
///
/// * A word longer than `maxInputCharsPerWord` scalars (after normalisation) is one `[UNK]`.
/// * If at some position no piece matches, the whole word is one `[UNK]`; no pieces found
///   before that position are kept (`a😀` → `[UNK]`).
struct WordPiece: Sendable {
    let vocabulary: WordPieceVocabulary
    let maxInputCharsPerWord: Int

    /// Working space reused across words: the word's UTF-8 bytes and where each scalar starts.
    struct Scratch {
        var bytes: [UInt8] = []
        var boundaries: [Int] = []
    }

    /// Appends the ids of `word`'s pieces to `ids`.
    func appendPieces(of word: ArraySlice<Unicode.Scalar>, to ids: inout [Int32], scratch: inout Scratch) {
        let unknown = Int32(self.vocabulary.unknownID)
        let count = word.count
        guard count <= self.maxInputCharsPerWord else {
            ids.append(unknown)
            return
        }
        scratch.bytes.removeAll(keepingCapacity: true)
        scratch.boundaries.removeAll(keepingCapacity: true)
        scratch.boundaries.append(0)
        for scalar in word {
            if scalar.value < 0x80 {
                scratch.bytes.append(UInt8(truncatingIfNeeded: scalar.value))
            } else {
                scratch.bytes.append(contentsOf: scalar.utf8)
            }
            scratch.boundaries.append(scratch.bytes.count)
        }
        let firstPiece = ids.count
        let boundaries = scratch.boundaries
        let matched = scratch.bytes.withUnsafeBufferPointer { bytes -> Bool in
            var start = 0
            while start < count {
                var end = count
                var found: Int32?
                while end > start {
                    let piece = UnsafeBufferPointer(rebasing: bytes[boundaries[start]..<boundaries[end]])
                    found =
                        start == 0
                        ? self.vocabulary.initialPieceID(piece)
                        : self.vocabulary.continuationPieceID(piece)
                    if found != nil { break }
                    end -= 1
                }
                guard let id = found else { return false }
                ids.append(id)
                start = end
            }
            return true
        }
        if !matched {
            ids.removeSubrange(firstPiece...)
            ids.append(unknown)
        }
    }
}
