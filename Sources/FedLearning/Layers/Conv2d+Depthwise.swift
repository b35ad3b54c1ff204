import FedTensor

/// The depthwise path (groups = in = out): each output plane is one input plane convolved
/// with its own kh×kw kernel. That is too little work per channel for sgemm to pay off, so
/// these are direct loops whose innermost loop runs along an output row (contiguous, and
/// vectorised at stride 1), split across cores by plane.
extension Conv2d {
    func forwardDepthwise(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ g: WindowGeometry) {
        let channels = g.channels
        let window = g.kernelHeight * g.kernelWidth
        self.output.scalars.withUnsafeMutableBufferPointer { y in
            let y = y.baseAddress!
            Parallel.forEachChunk(g.batch * channels, minimum: 4) { chunk in
                for p in chunk {
                    let kernel = w + (p % channels) * window
                    let source = x + p * g.inputPlane
                    let target = y + p * g.outputPlane
                    target.update(repeating: 0, count: g.outputPlane)
                    for ki in 0..<g.kernelHeight {
                        for oh in g.validRows(ki) {
                            let line = source + (oh &* g.strideHeight &+ ki &- g.top) &* g.width
                            let out = target + oh &* g.outputWidth
                            for kj in 0..<g.kernelWidth {
                                Self.accumulateRow(
                                    out,
                                    line,
                                    weight: kernel[ki &* g.kernelWidth &+ kj],
                                    columns: g.validColumns(kj),
                                    stride: g.strideWidth,
                                    offset: kj &- g.left
                                )
                            }
                        }
                    }
                }
            }
        }
    }

    /// Weight and/or input gradient (whichever pointer is given). Work is split by channel, so
    /// each worker owns its channels' kernel gradients and accumulates them over the batch.
    func backwardDepthwise(
        _ x: UnsafePointer<Float>?,
        _ dy: UnsafePointer<Float>,
        _ w: UnsafePointer<Float>?,
        dw: UnsafeMutablePointer<Float>?,
        dx: UnsafeMutablePointer<Float>?,
        _ g: WindowGeometry
    ) {
        let channels = g.channels
        let window = g.kernelHeight * g.kernelWidth
        Parallel.forEachChunk(channels, minimum: 1) { chunk in
            for c in chunk {
                for n in 0..<g.batch {
                    let p = n * channels + c
                    let gradient = dy + p * g.outputPlane
                    if let dx {
                        let target = dx + p * g.inputPlane
                        target.update(repeating: 0, count: g.inputPlane)
                        Self.scatterPlane(gradient, w! + c * window, into: target, g)
                    }
                    if let dw {
                        Self.correlatePlane(x! + p * g.inputPlane, gradient, into: dw + c * window, g)
                    }
                }
            }
        }
    }

    /// out[j] += weight · line[j·stride + offset] for j in `columns`.
    @inline(__always)
    private static func accumulateRow(
        _ out: UnsafeMutablePointer<Float>,
        _ line: UnsafePointer<Float>,
        weight: Float,
        columns: Range<Int>,
        stride: Int,
        offset: Int
    ) {
        if stride == 1 {
            let shifted = line + offset
            for j in columns { out[j] += weight * shifted[j] }
        } else {
            for j in columns { out[j] += weight * line[j &* stride &+ offset] }
        }
    }

    /// dx[ih, iw] += w[ki, kj] · dy[oh, ow] over one plane (forward's transpose).
    private static func scatterPlane(
        _ dy: UnsafePointer<Float>,
        _ kernel: UnsafePointer<Float>,
        into dx: UnsafeMutablePointer<Float>,
        _ g: WindowGeometry
    ) {
        let sw = g.strideWidth
        for ki in 0..<g.kernelHeight {
            for oh in g.validRows(ki) {
                let line = dx + (oh &* g.strideHeight &+ ki &- g.top) &* g.width
                let from = dy + oh &* g.outputWidth
                for kj in 0..<g.kernelWidth {
                    let weight = kernel[ki &* g.kernelWidth &+ kj]
                    let offset = kj &- g.left
                    if sw == 1 {
                        let shifted = line + offset
                        for j in g.validColumns(kj) { shifted[j] += weight * from[j] }
                    } else {
                        for j in g.validColumns(kj) { line[j &* sw &+ offset] += weight * from[j] }
                    }
                }
            }
        }
    }

    /// dw[ki, kj] += Σ_{oh,ow} dy[oh, ow] · x[oh·sh + ki − top, ow·sw + kj − left] over one plane.
    private static func correlatePlane(
        _ x: UnsafePointer<Float>,
        _ dy: UnsafePointer<Float>,
        into dw: UnsafeMutablePointer<Float>,
        _ g: WindowGeometry
    ) {
        let sw = g.strideWidth
        for ki in 0..<g.kernelHeight {
            let rows = g.validRows(ki)
            for kj in 0..<g.kernelWidth {
                let cols = g.validColumns(kj)
                let offset = kj &- g.left
                var total: Float = 0
                for oh in rows {
                    let line = x + (oh &* g.strideHeight &+ ki &- g.top) &* g.width
                    let from = dy + oh &* g.outputWidth
                    if sw == 1 {
                        let start = cols.lowerBound
                        total += RowReductions.dot(from + start, line + offset + start, count: cols.count)
                    } else {
                        // Four accumulators: a single running sum would serialise on the adds.
                        var (s0, s1, s2, s3): (Float, Float, Float, Float) = (0, 0, 0, 0)
                        var j = cols.lowerBound
                        while j &+ 4 <= cols.upperBound {
                            s0 += from[j] * line[j &* sw &+ offset]
                            s1 += from[j &+ 1] * line[(j &+ 1) &* sw &+ offset]
                            s2 += from[j &+ 2] * line[(j &+ 2) &* sw &+ offset]
                            s3 += from[j &+ 3] * line[(j &+ 3) &* sw &+ offset]
                            j &+= 4
                        }
                        while j < cols.upperBound {
                            s0 += from[j] * line[j &* sw &+ offset]
                            j &+= 1
                        }
                        total += (s0 + s1) + (s2 + s3)
                    }
                }
                dw[ki &* g.kernelWidth &+ kj] += total
            }
        }
    }
}
