/// A `strategy.compression` setting that cannot run, told with its key and allowed values.
package enum UpdateCompressionError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownCodec(String)
    case fractionOutOfRange(Double)
    case fractionWithoutTopK(codec: String, fraction: Double)

    package var description: String {
        switch self {
        case .unknownCodec(let name):
            "strategy.compression must be one of \(UpdateCompression.names.joined(separator: ", ")), not '\(name)'"
        case .fractionOutOfRange(let fraction):
            "strategy.topk_fraction must be a number in (0, 1], the share of each tensor's values a site sends "
                + "(e.g. 0.01 for 1%), not \(fraction)"
        case .fractionWithoutTopK(let codec, let fraction):
            "strategy.topk_fraction (\(fraction)) applies only with strategy.compression: topk, not \(codec) "
                + "---> HINT: remove topk_fraction or set compression to topk"
        }
    }
}
