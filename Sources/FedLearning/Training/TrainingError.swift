/// Why training stopped without a usable model.
package enum TrainingError: Error, Equatable, CustomStringConvertible {
    case nonFiniteLoss(epoch: Int, step: Int, loss: Float)
    case invalidConfiguration(detail: String)
    case emptyData(detail: String)

    package var description: String {
        switch self {
        case .nonFiniteLoss(let epoch, let step, let loss):
            return "training stopped: the loss became \(loss) at epoch \(epoch), step \(step); no model was saved "
                + "---> HINT: lower the learning rate or set a gradient clip norm"
        case .invalidConfiguration(let detail):
            return "invalid training configuration: \(detail)"
        case .emptyData(let detail):
            return "nothing to train on: \(detail)"
        }
    }
}
