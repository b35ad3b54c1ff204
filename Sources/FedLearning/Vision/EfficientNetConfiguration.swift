/// The shape of an EfficientNet-Lite backbone: the stem, the mobile inverted bottleneck
/// blocks (MBConv) and the head convolution, as `model.json` records it and as it is read
/// off a checkpoint's tensor names and shapes (`infer(shapes:source:)`).
///
/// Tensor names follow the PyTorch checkpoints of lukemelas/EfficientNet-PyTorch and its
/// Lite fork: `_conv_stem`, `_bn0`, `_blocks.N._expand_conv` / `_bn0` / `_depthwise_conv` /
/// `_bn1` / `_project_conv` / `_bn2`, `_conv_head`, `_bn1`. Every convolution has no bias
/// and TensorFlow's "same" padding; every batch norm is followed by ReLU6 except the
/// projection's; a block adds its input back when its stride is 1 and its width unchanged.
package struct EfficientNetConfiguration: Sendable, Codable, Equatable {
    /// One MBConv block: 1×1 expansion (absent when `expanded == inputs`), k×k depthwise
    /// convolution with `stride`, 1×1 projection.
    package struct Block: Sendable, Codable, Equatable {
        package var inputs: Int
        package var expanded: Int
        package var outputs: Int
        package var kernel: Int
        package var stride: Int

        package init(inputs: Int, expanded: Int, outputs: Int, kernel: Int, stride: Int) {
            self.inputs = inputs
            self.expanded = expanded
            self.outputs = outputs
            self.kernel = kernel
            self.stride = stride
        }

        /// Whether the block has a 1×1 expansion convolution (expand ratio above 1).
        package var expands: Bool { self.expanded != self.inputs }
        /// Whether the block adds its input to its output.
        package var residual: Bool { self.stride == 1 && self.inputs == self.outputs }
    }

    package var stemChannels: Int
    /// The stem's stride (2 in every EfficientNet).
    package var stemStride: Int = 2
    package var blocks: [Block]
    package var headChannels: Int
    package var batchNormEpsilon: Float = 1e-3

    package init(stemChannels: Int, blocks: [Block], headChannels: Int) {
        self.stemChannels = stemChannels
        self.blocks = blocks
        self.headChannels = headChannels
    }

    /// Input channels (RGB).
    package static let inputChannels = 3
    /// The stride of each stage's first block, stages numbered by where the width changes:
    /// EfficientNet's seven stages (Tan and Le 2019, table 1).
    package static let stageStrides = [1, 2, 2, 2, 1, 2, 1]

    /// Names of one batch norm's tensors, in checkpoint order.
    package static func batchNormNames(_ prefix: String) -> [String] {
        ["weight", "bias", "running_mean", "running_var"].map { "\(prefix).\($0)" }
    }

    /// Every backbone tensor's name and shape, in checkpoint order (the classifier's `_fc`
    /// is not part of the backbone).
    package var tensorShapes: [(name: String, shape: [Int])] {
        var shapes: [(name: String, shape: [Int])] = []
        func batchNorm(_ prefix: String, _ channels: Int) {
            shapes += Self.batchNormNames(prefix).map { ($0, [channels]) }
        }
        shapes.append(("_conv_stem.weight", [self.stemChannels, Self.inputChannels, 3, 3]))
        batchNorm("_bn0", self.stemChannels)
        for (i, block) in self.blocks.enumerated() {
            let prefix = "_blocks.\(i)."
            if block.expands {
                shapes.append((prefix + "_expand_conv.weight", [block.expanded, block.inputs, 1, 1]))
                batchNorm(prefix + "_bn0", block.expanded)
            }
            shapes.append((prefix + "_depthwise_conv.weight", [block.expanded, 1, block.kernel, block.kernel]))
            batchNorm(prefix + "_bn1", block.expanded)
            shapes.append((prefix + "_project_conv.weight", [block.outputs, block.expanded, 1, 1]))
            batchNorm(prefix + "_bn2", block.outputs)
        }
        shapes.append(("_conv_head.weight", [self.headChannels, self.blocks.last?.outputs ?? self.stemChannels, 1, 1]))
        batchNorm("_bn1", self.headChannels)
        return shapes
    }

    /// Weights of the backbone, counted with checked arithmetic.
    package var budget: TensorBudget {
        var budget = TensorBudget()
        for (_, shape) in self.tensorShapes { budget.add(shape.reduce(1) { $0 &* Swift.max($1, 0) }) }
        return budget
    }

    /// Problems with the description, each naming the field.
    package var problems: [String] {
        var problems: [String] = []
        let limit = 1 << 16
        if !(1...limit).contains(self.stemChannels) { problems.append("stemChannels must be in 1...\(limit)") }
        if !(1...limit).contains(self.headChannels) { problems.append("headChannels must be in 1...\(limit)") }
        if !(1...4).contains(self.stemStride) { problems.append("stemStride must be in 1...4") }
        if self.blocks.isEmpty || self.blocks.count > 256 { problems.append("blocks must hold 1 to 256 blocks") }
        if !(self.batchNormEpsilon > 0 && self.batchNormEpsilon < 1) {
            problems.append("batchNormEpsilon must be in (0, 1)")
        }
        var width = self.stemChannels
        for (i, block) in self.blocks.enumerated() {
            let field = "blocks[\(i)]"
            if block.inputs != width {
                problems.append("\(field).inputs is \(block.inputs) but the layer before gives \(width) channels")
            }
            if ![block.inputs, block.expanded, block.outputs].allSatisfy({ (1...limit).contains($0) }) {
                problems.append("\(field): channel counts must be in 1...\(limit)")
            }
            if ![1, 3, 5, 7].contains(block.kernel) { problems.append("\(field).kernel must be 1, 3, 5 or 7") }
            if ![1, 2].contains(block.stride) { problems.append("\(field).stride must be 1 or 2") }
            width = block.outputs
        }
        return problems
    }

    /// Reads the architecture off a checkpoint's tensor shapes: widths, expansion and kernel
    /// sizes from the tensors, strides from the stage each block starts (a stage starts
    /// where the width changes; its first block takes `stageStrides`). Every problem names
    /// the tensor.
    package static func infer(shapes: [String: [Int]], source: String) throws -> EfficientNetConfiguration {
        func fail(_ detail: String) -> ModelError { .invalidArchitecture(path: source, detail: detail) }
        func shape(_ name: String, rank: Int) throws -> [Int] {
            guard let shape = shapes[name] else {
                throw fail("no tensor '\(name)': this is not an EfficientNet-Lite checkpoint with PyTorch names")
            }
            guard shape.count == rank else { throw fail("tensor '\(name)' has shape \(shape), expected rank \(rank)") }
            return shape
        }
        let stem = try shape("_conv_stem.weight", rank: 4)
        guard stem[1] == inputChannels, stem[2] == 3, stem[3] == 3 else {
            throw fail("tensor '_conv_stem.weight' has shape \(stem), expected [C, 3, 3, 3]")
        }
        var blocks: [Block] = []
        var width = stem[0]
        var stage = -1
        while shapes["_blocks.\(blocks.count)._depthwise_conv.weight"] != nil {
            let prefix = "_blocks.\(blocks.count)."
            let depthwise = try shape(prefix + "_depthwise_conv.weight", rank: 4)
            let project = try shape(prefix + "_project_conv.weight", rank: 4)
            let expanded = depthwise[0]
            if shapes[prefix + "_expand_conv.weight"] != nil {
                let expand = try shape(prefix + "_expand_conv.weight", rank: 4)
                guard expand == [expanded, width, 1, 1] else {
                    throw fail("tensor '\(prefix)_expand_conv.weight' has shape \(expand), expected [\(expanded), \(width), 1, 1]")
                }
            } else if expanded != width {
                throw fail("block \(blocks.count) has no '_expand_conv' but widens \(width) to \(expanded) channels")
            }
            guard depthwise[1] == 1, depthwise[2] == depthwise[3] else {
                throw fail("tensor '\(prefix)_depthwise_conv.weight' has shape \(depthwise), expected [C, 1, k, k]")
            }
            guard project[1] == expanded, project[2] == 1, project[3] == 1 else {
                throw fail("tensor '\(prefix)_project_conv.weight' has shape \(project), expected [out, \(expanded), 1, 1]")
            }
            var stride = 1
            if project[0] != width || blocks.isEmpty {
                stage += 1
                guard stage < stageStrides.count else {
                    throw fail(
                        "block \(blocks.count) starts stage \(stage + 1), but EfficientNet has \(stageStrides.count) stages; write the strides in model.json instead"
                    )
                }
                stride = stageStrides[stage]
            }
            blocks.append(Block(inputs: width, expanded: expanded, outputs: project[0], kernel: depthwise[2], stride: stride))
            width = project[0]
        }
        guard !blocks.isEmpty else { throw fail("no tensor '_blocks.0._depthwise_conv.weight'") }
        let head = try shape("_conv_head.weight", rank: 4)
        guard head[1] == width, head[2] == 1, head[3] == 1 else {
            throw fail("tensor '_conv_head.weight' has shape \(head), expected [C, \(width), 1, 1]")
        }
        let configuration = EfficientNetConfiguration(stemChannels: stem[0], blocks: blocks, headChannels: head[0])
        let problems = configuration.problems
        guard problems.isEmpty else { throw fail(problems.joined(separator: "; ")) }
        return configuration
    }
}
