import FedTensor

/// The general path: each image's receptive fields are unrolled into a
/// [groups·(in/groups)·kh·kw, outH·outW] matrix (im2col), so every group's convolution is one
/// sgemm; backward multiplies by the same matrix for the weight gradient and folds the
/// column gradient back onto the image (col2im) for the input gradient.
extension Conv2d {
    /// Rows of one group's block of the column matrix: (in/groups)·kh·kw.
    private var groupRows: Int { self.inChannels / self.groups * self.kernelHeight * self.kernelWidth }

    func forwardIm2col(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ g: WindowGeometry) {
        let (k, plane, perGroup) = (self.groupRows, g.outputPlane, self.outChannels / self.groups)
        self.columns.resize(rows: self.groups * k, columns: plane)
        self.columns.scalars.withUnsafeMutableBufferPointer { columns in
            self.output.scalars.withUnsafeMutableBufferPointer { y in
                for n in 0..<g.batch {
                    Self.im2col(x + n * g.channels * g.inputPlane, into: columns.baseAddress!, g)
                    for group in 0..<self.groups {
                        // y[n][group's out, HW'] = W_g[out/groups, K] · cols_g[K, HW']
                        BLAS.gemm(
                            transposeA: false,
                            transposeB: false,
                            m: perGroup,
                            n: plane,
                            k: k,
                            a: w + group * perGroup * k,
                            b: columns.baseAddress! + group * k * plane,
                            c: y.baseAddress! + (n * self.outChannels + group * perGroup) * plane
                        )
                    }
                }
            }
        }
    }

    func weightGradientIm2col(
        _ x: UnsafePointer<Float>,
        _ dy: UnsafePointer<Float>,
        _ dw: UnsafeMutablePointer<Float>,
        _ g: WindowGeometry
    ) {
        let (k, plane, perGroup) = (self.groupRows, g.outputPlane, self.outChannels / self.groups)
        self.columns.resize(rows: self.groups * k, columns: plane)
        self.columns.scalars.withUnsafeMutableBufferPointer { columns in
            for n in 0..<g.batch {
                // Recomputed rather than kept from forward: a batch's columns would take
                // kh·kw times the input's memory, and unrolling costs little next to the product.
                Self.im2col(x + n * g.channels * g.inputPlane, into: columns.baseAddress!, g)
                for group in 0..<self.groups {
                    // dW_g[out/groups, K] += dy[n][group's out, HW'] · cols_g[K, HW']ᵀ
                    BLAS.gemm(
                        transposeA: false,
                        transposeB: true,
                        m: perGroup,
                        n: k,
                        k: plane,
                        a: dy + (n * self.outChannels + group * perGroup) * plane,
                        b: columns.baseAddress! + group * k * plane,
                        beta: 1,
                        c: dw + group * perGroup * k
                    )
                }
            }
        }
    }

    func inputGradientIm2col(
        _ dy: UnsafePointer<Float>,
        _ w: UnsafePointer<Float>,
        _ dx: UnsafeMutablePointer<Float>,
        _ g: WindowGeometry
    ) {
        let (k, plane, perGroup) = (self.groupRows, g.outputPlane, self.outChannels / self.groups)
        self.columns.resize(rows: self.groups * k, columns: plane)
        self.columns.scalars.withUnsafeMutableBufferPointer { columns in
            for n in 0..<g.batch {
                for group in 0..<self.groups {
                    // dcols_g[K, HW'] = W_g[out/groups, K]ᵀ · dy[n][group's out, HW']
                    BLAS.gemm(
                        transposeA: true,
                        transposeB: false,
                        m: k,
                        n: plane,
                        k: perGroup,
                        a: w + group * perGroup * k,
                        b: dy + (n * self.outChannels + group * perGroup) * plane,
                        c: columns.baseAddress! + group * k * plane
                    )
                }
                Self.col2im(columns.baseAddress!, into: dx + n * g.channels * g.inputPlane, g)
            }
        }
    }

    /// cols[(c,ki,kj), (oh,ow)] = x[c, oh·sh + ki − top, ow·sw + kj − left], 0 in the padding.
    static func im2col(_ x: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, _ g: WindowGeometry) {
        let window = g.kernelHeight * g.kernelWidth
        let (ow, sw) = (g.outputWidth, g.strideWidth)
        Parallel.forEachChunk(g.channels * window, minimum: 4) { chunk in
            for row in chunk {
                let (c, ki, kj) = (row / window, row % window / g.kernelWidth, row % g.kernelWidth)
                let source = x + c * g.inputPlane
                let target = columns + row * g.outputPlane
                let rows = g.validRows(ki)
                let cols = g.validColumns(kj)
                let offset = kj &- g.left
                for oh in 0..<g.outputHeight {
                    let out = target + oh * ow
                    guard rows.contains(oh) else {
                        out.update(repeating: 0, count: ow)
                        continue
                    }
                    let line = source + (oh &* g.strideHeight &+ ki &- g.top) &* g.width
                    for j in 0..<cols.lowerBound { out[j] = 0 }
                    if sw == 1 {
                        for j in cols { out[j] = line[j &+ offset] }
                    } else {
                        for j in cols { out[j] = line[j &* sw &+ offset] }
                    }
                    for j in cols.upperBound..<ow { out[j] = 0 }
                }
            }
        }
    }

    /// The adjoint of im2col: dx[c, ih, iw] = Σ of the column entries that read it.
    static func col2im(_ columns: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>, _ g: WindowGeometry) {
        let (ow, sw) = (g.outputWidth, g.strideWidth)
        // Each channel's rows only touch that channel's plane, so channels split across cores.
        Parallel.forEachChunk(g.channels, minimum: 1) { chunk in
            for c in chunk {
                let target = dx + c * g.inputPlane
                target.update(repeating: 0, count: g.inputPlane)
                for ki in 0..<g.kernelHeight {
                    let rows = g.validRows(ki)
                    for kj in 0..<g.kernelWidth {
                        let cols = g.validColumns(kj)
                        let offset = kj &- g.left
                        let source = columns + ((c * g.kernelHeight + ki) * g.kernelWidth + kj) * g.outputPlane
                        for oh in rows {
                            let line = target + (oh &* g.strideHeight &+ ki &- g.top) &* g.width
                            let from = source + oh * ow
                            if sw == 1 {
                                for j in cols { line[j &+ offset] += from[j] }
                            } else {
                                for j in cols { line[j &* sw &+ offset] += from[j] }
                            }
                        }
                    }
                }
            }
        }
    }
}
