/// Ids and masks of a batch, right-padded to its longest sequence, laid out as the encoder
/// reads them: row-major `[batchSize][length]`.
package struct TokenBatch: Sendable, Equatable {
    package var batchSize: Int
    /// The padded length L: the longest row's id count.
    package var length: Int
    /// `[batchSize * length]`, row-major; padding positions hold the padding id.
    package var ids: [Int32]
    /// 1 on real ids, 0 on padding, `[batchSize * length]`.
    package var attentionMask: [Float]
    /// Real ids per row.
    package var lengths: [Int]

    package init(batchSize: Int, length: Int, ids: [Int32], attentionMask: [Float], lengths: [Int]) {
        precondition(
            ids.count == batchSize * length && attentionMask.count == ids.count && lengths.count == batchSize,
            "a \(batchSize)×\(length) batch needs \(batchSize * length) ids and mask values and \(batchSize) lengths"
        )
        self.batchSize = batchSize
        self.length = length
        self.ids = ids
        self.attentionMask = attentionMask
        self.lengths = lengths
    }

    /// Pads `rows` on the right with `paddingID` (BERT's `[PAD]` is 0) to the longest row,
    /// masking the padding out. No rows give a 0 × 0 batch.
    package init(padding rows: [[Int32]], paddingID: Int32 = 0) {
        let length = rows.map(\.count).max() ?? 0
        var ids = [Int32](repeating: paddingID, count: rows.count * length)
        var mask = [Float](repeating: 0, count: rows.count * length)
        for (row, sequence) in rows.enumerated() {
            let offset = row * length
            for (position, id) in sequence.enumerated() {
                ids[offset + position] = id
                mask[offset + position] = 1
            }
        }
        self.init(batchSize: rows.count, length: length, ids: ids, attentionMask: mask, lengths: rows.map(\.count))
    }
}
