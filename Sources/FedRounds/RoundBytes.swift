/// Blob bytes one round moved over the wire, by kind: what shows that after the first
/// round only trainable tensors travel (a LoRA round carries adapters and head, not 90 MB).
package struct RoundBytes: Sendable, Codable, Equatable {
    /// Base models sent to sites that did not hold them yet.
    package var baseModel = 0
    /// The global model's trainable tensors sent with each `train` message.
    package var trainable = 0
    /// Updates (deltas of the trainable tensors) received from the sites.
    package var updates = 0

    package init(baseModel: Int = 0, trainable: Int = 0, updates: Int = 0) {
        self.baseModel = baseModel
        self.trainable = trainable
        self.updates = updates
    }
}
