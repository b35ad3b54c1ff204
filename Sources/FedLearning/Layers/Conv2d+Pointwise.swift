import FedTensor

/// The 1×1 stride-1 path: an image's [in, H·W] planes already are the matrix, so each image is
/// one sgemm with no im2col. Below `packedPlaneLimit` positions per plane (EfficientNet's 7×7
/// stages) a per-image product is too thin for sgemm to run at full rate, so the batch is
/// packed into one [in, N·H·W] matrix and multiplied once; packing copies each value once,
/// which is little next to the in·out multiply-adds per position.
extension Conv2d {
    /// Planes smaller than this many positions take the packed path.
    static let packedPlaneLimit = 100

    private func packs(_ g: WindowGeometry) -> Bool { g.batch > 1 && g.inputPlane < Self.packedPlaneLimit }

    func forwardPointwise(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ g: WindowGeometry) {
        let (cin, cout, hw) = (self.inChannels, self.outChannels, g.inputPlane)
        if self.packs(g) {
            let wide = g.batch * hw
            self.columns.resize(rows: cin, columns: wide)
            self.scratch.resize(rows: cout, columns: wide)
            self.columns.scalars.withUnsafeMutableBufferPointer { packed in
                self.scratch.scalars.withUnsafeMutableBufferPointer { product in
                    self.output.scalars.withUnsafeMutableBufferPointer { y in
                        Self.pack(x, into: packed.baseAddress!, batch: g.batch, channels: cin, plane: hw)
                        // Y[out, N·HW] = W[out, in] · X[in, N·HW]
                        BLAS.gemm(
                            transposeA: false,
                            transposeB: false,
                            m: cout,
                            n: wide,
                            k: cin,
                            a: w,
                            b: packed.baseAddress!,
                            c: product.baseAddress!
                        )
                        let y = y.baseAddress!
                        Self.unpack(product.baseAddress!, into: y, batch: g.batch, channels: cout, plane: hw)
                    }
                }
            }
            return
        }
        self.output.scalars.withUnsafeMutableBufferPointer { y in
            for n in 0..<g.batch {
                // y[n][out, HW] = W[out, in] · x[n][in, HW]
                BLAS.gemm(
                    transposeA: false,
                    transposeB: false,
                    m: cout,
                    n: hw,
                    k: cin,
                    a: w,
                    b: x + n * cin * hw,
                    c: y.baseAddress! + n * cout * hw
                )
            }
        }
    }

    /// `forward`, handing the output to `finish(images, planes)` in parts it may change in place
    /// (`planes` holds those images' [out, outH·outW] planes): on the per-image 1×1 path one image
    /// at a time, right after its sgemm, while they are still in cache; else the whole batch at once.
    package func forward(
        _ input: Tensor,
        parameters: ParameterStore,
        training: Bool,
        finish: (Range<Int>, UnsafeMutablePointer<Float>) -> Void
    ) {
        let g = self.geometry(for: input.shape)
        let size = self.outChannels * g.outputPlane
        guard self.path == .pointwise && !self.packs(g) && self.bias == nil else {
            self.forward(input, parameters: parameters, training: training)
            self.output.scalars.withUnsafeMutableBufferPointer { y in
                finish(0..<g.batch, y.baseAddress!)
            }
            return
        }
        self.output.resize(g.batch, self.outChannels, g.outputHeight, g.outputWidth)
        let (cin, cout, hw) = (self.inChannels, self.outChannels, g.inputPlane)
        input.scalars.withUnsafeBufferPointer { x in
            parameters[self.weight].value.scalars.withUnsafeBufferPointer { w in
                self.output.scalars.withUnsafeMutableBufferPointer { y in
                    for n in 0..<g.batch {
                        let planes = y.baseAddress! + n * size
                        BLAS.gemm(
                            transposeA: false,
                            transposeB: false,
                            m: cout,
                            n: hw,
                            k: cin,
                            a: w.baseAddress!,
                            b: x.baseAddress! + n * cin * hw,
                            c: planes
                        )
                        finish(n..<(n + 1), planes)
                    }
                }
            }
        }
    }

    func weightGradientPointwise(
        _ x: UnsafePointer<Float>,
        _ dy: UnsafePointer<Float>,
        _ dw: UnsafeMutablePointer<Float>,
        _ g: WindowGeometry
    ) {
        let (cin, cout, hw) = (self.inChannels, self.outChannels, g.inputPlane)
        if self.packs(g) {
            let wide = g.batch * hw
            self.columns.resize(rows: cin, columns: wide)
            self.scratch.resize(rows: cout, columns: wide)
            self.columns.scalars.withUnsafeMutableBufferPointer { packed in
                self.scratch.scalars.withUnsafeMutableBufferPointer { gradient in
                    Self.pack(x, into: packed.baseAddress!, batch: g.batch, channels: cin, plane: hw)
                    Self.pack(dy, into: gradient.baseAddress!, batch: g.batch, channels: cout, plane: hw)
                    // dW[out, in] += dY[out, N·HW] · X[in, N·HW]ᵀ
                    BLAS.gemm(
                        transposeA: false,
                        transposeB: true,
                        m: cout,
                        n: cin,
                        k: wide,
                        a: gradient.baseAddress!,
                        b: packed.baseAddress!,
                        beta: 1,
                        c: dw
                    )
                }
            }
            return
        }
        for n in 0..<g.batch {
            // dW[out, in] += dy[n][out, HW] · x[n][in, HW]ᵀ
            BLAS.gemm(
                transposeA: false,
                transposeB: true,
                m: cout,
                n: cin,
                k: hw,
                a: dy + n * cout * hw,
                b: x + n * cin * hw,
                beta: 1,
                c: dw
            )
        }
    }

    func inputGradientPointwise(
        _ dy: UnsafePointer<Float>,
        _ w: UnsafePointer<Float>,
        _ dx: UnsafeMutablePointer<Float>,
        _ g: WindowGeometry
    ) {
        let (cin, cout, hw) = (self.inChannels, self.outChannels, g.inputPlane)
        if self.packs(g) {
            let wide = g.batch * hw
            self.columns.resize(rows: cin, columns: wide)
            self.scratch.resize(rows: cout, columns: wide)
            self.columns.scalars.withUnsafeMutableBufferPointer { packed in
                self.scratch.scalars.withUnsafeMutableBufferPointer { gradient in
                    Self.pack(dy, into: gradient.baseAddress!, batch: g.batch, channels: cout, plane: hw)
                    // dX[in, N·HW] = W[out, in]ᵀ · dY[out, N·HW]
                    BLAS.gemm(
                        transposeA: true,
                        transposeB: false,
                        m: cin,
                        n: wide,
                        k: cout,
                        a: w,
                        b: gradient.baseAddress!,
                        c: packed.baseAddress!
                    )
                    Self.unpack(packed.baseAddress!, into: dx, batch: g.batch, channels: cin, plane: hw)
                }
            }
            return
        }
        for n in 0..<g.batch {
            // dx[n][in, HW] = W[out, in]ᵀ · dy[n][out, HW]
            BLAS.gemm(
                transposeA: true,
                transposeB: false,
                m: cin,
                n: hw,
                k: cout,
                a: w,
                b: dy + n * cout * hw,
                c: dx + n * cin * hw
            )
        }
    }

    /// [N, C, HW] → [C, N·HW].
    static func pack(
        _ x: UnsafePointer<Float>,
        into packed: UnsafeMutablePointer<Float>,
        batch: Int,
        channels: Int,
        plane: Int
    ) {
        Parallel.forEachChunk(channels, minimum: 16) { chunk in
            for c in chunk {
                for n in 0..<batch {
                    (packed + (c * batch + n) * plane).update(from: x + (n * channels + c) * plane, count: plane)
                }
            }
        }
    }

    /// [C, N·HW] → [N, C, HW].
    static func unpack(
        _ packed: UnsafePointer<Float>,
        into x: UnsafeMutablePointer<Float>,
        batch: Int,
        channels: Int,
        plane: Int
    ) {
        Parallel.forEachChunk(channels, minimum: 16) { chunk in
            for c in chunk {
                for n in 0..<batch {
                    (x + (n * channels + c) * plane).update(from: packed + (c * batch + n) * plane, count: plane)
                }
            }
        }
    }
}
