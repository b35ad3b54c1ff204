import FedTensor

/// The depthwise path (groups = in = out): each output plane is one input plane convolved with
/// its own kh×kw kernel. That is too little work per channel for sgemm, so these are direct
/// loops. Each plane is first copied into a zero-padded scratch plane, so the loops have no
/// bounds tests; with a column stride s the copy is split into s phase planes of every s-th
/// column, so every inner loop reads contiguous memory. At stride 1 the whole plane is one
/// flat loop per kernel tap (output rows laid out with the padded pitch, the few extra
/// columns discarded), which keeps 7×7 and 14×14 planes as fast as large ones; backward lays
/// the output gradient out the same way at every stride, so each tap's weight gradient is one
/// long dot product and its input gradient one long multiply-add.
extension Conv2d {
    /// Runs `body(plane, scratch)` for planes 0..<count, split across the workers, each
    /// worker with its own slice of `self.scratch`.
    private func forEachPlane(
        _ count: Int,
        _ plan: DepthwisePlan,
        _ body: (Int, UnsafeMutablePointer<Float>) -> Void
    ) {
        let workers = Swift.max(1, Swift.min(Parallel.workers, count))
        let size = plan.scratchPerWorker
        self.scratch.resize(rows: workers, columns: size)
        self.scratch.scalars.withUnsafeMutableBufferPointer { scratch in
            Parallel.forEachChunk(workers) { slots in
                for slot in slots {
                    for plane in (count * slot / workers)..<(count * (slot + 1) / workers) {
                        body(plane, scratch.baseAddress! + slot * size)
                    }
                }
            }
        }
    }

    func forwardDepthwise(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ g: WindowGeometry) {
        let plan = DepthwisePlan(g)
        let taps = g.kernelHeight * g.kernelWidth
        self.computeTapOffsets(plan)
        let (length, pitch, rowStep) = (plan.flatLength, plan.paddedWidth, g.strideHeight * plan.phaseWidth)
        self.tapOffsets.withUnsafeBufferPointer { offsets in
            self.output.scalars.withUnsafeMutableBufferPointer { y in
                let (offsets, y) = (offsets.baseAddress!, y.baseAddress!)
                self.forEachPlane(g.batch * g.channels, plan) { p, scratch in
                    let kernel = w + (p % g.channels) * taps
                    plan.pad(x + p * g.inputPlane, into: scratch)
                    let out = y + p * g.outputPlane
                    if plan.flat {
                        // acc[oh·PW + ow] = Σ_taps w[ki,kj] · pad[(oh + ki)·PW + ow + kj], the whole
                        // plane as one row; the PW − outW extra columns per row are dropped after.
                        let acc = scratch + 2 * plan.paddedSize
                        Self.windowSums(scratch, offsets, kernel, taps: taps, length: length, into: acc)
                        for oh in 0..<g.outputHeight {
                            (out + oh * g.outputWidth).update(from: acc + oh * pitch, count: g.outputWidth)
                        }
                    } else {
                        for oh in 0..<g.outputHeight {
                            let row = out + oh * g.outputWidth
                            let base = scratch + oh * rowStep
                            Self.windowSums(base, offsets, kernel, taps: taps, length: g.outputWidth, into: row)
                        }
                    }
                }
            }
        }
    }

    /// Fills `tapOffsets` with each tap's scratch offset, then (stride 1) margin − offset, where
    /// the input-gradient gather reads.
    private func computeTapOffsets(_ plan: DepthwisePlan) {
        let (kh, kw) = (plan.g.kernelHeight, plan.g.kernelWidth)
        if self.tapOffsets.count != 2 * kh * kw { self.tapOffsets = [Int](repeating: 0, count: 2 * kh * kw) }
        for ki in 0..<kh {
            for kj in 0..<kw {
                self.tapOffsets[ki * kw + kj] = plan.tapOffset(ki, kj)
                self.tapOffsets[kh * kw + ki * kw + kj] = plan.margin - plan.tapOffset(ki, kj)
            }
        }
    }

    /// Σ a[i]·b[i] in four independent vector sums, so the adds overlap instead of waiting on
    /// each other (RowReductions.dot keeps one).
    @inline(__always)
    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        @inline(__always) func load(_ p: UnsafePointer<Float>, _ at: Int) -> SIMD8<Float> {
            UnsafeRawPointer(p + at).loadUnaligned(as: SIMD8<Float>.self)
        }
        var (s0, s1, s2, s3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
        var i = 0
        while i &+ 32 <= count {
            s0 += load(a, i) * load(b, i)
            s1 += load(a, i &+ 8) * load(b, i &+ 8)
            s2 += load(a, i &+ 16) * load(b, i &+ 16)
            s3 += load(a, i &+ 24) * load(b, i &+ 24)
            i &+= 32
        }
        while i &+ 8 <= count {
            s0 += load(a, i) * load(b, i)
            i &+= 8
        }
        var total = ((s0 + s1) + (s2 + s3)).sum()
        while i < count {
            total += a[i] * b[i]
            i &+= 1
        }
        return total
    }

    /// out[j] = Σ_t weights[t] · base[offsets[t] + j] for j < length. Outputs are kept in registers
    /// across all taps, 32 at a time in four independent sums (so the adds overlap), then 8, then
    /// one: each tap costs one load and one multiply-add per eight outputs.
    @inline(__always)
    private static func windowSums(
        _ base: UnsafePointer<Float>,
        _ offsets: UnsafePointer<Int>,
        _ weights: UnsafePointer<Float>,
        taps: Int,
        length: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        @inline(__always) func load(_ at: Int) -> SIMD8<Float> {
            UnsafeRawPointer(base + at).loadUnaligned(as: SIMD8<Float>.self)
        }
        @inline(__always) func store(_ v: SIMD8<Float>, _ at: Int) {
            UnsafeMutableRawPointer(out + at).storeBytes(of: v, as: SIMD8<Float>.self)
        }
        var j = 0
        while j &+ 32 <= length {
            var (a, b, c, d) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
            for t in 0..<taps {
                let w = SIMD8<Float>(repeating: weights[t])
                let at = offsets[t] &+ j
                a += w * load(at)
                b += w * load(at &+ 8)
                c += w * load(at &+ 16)
                d += w * load(at &+ 24)
            }
            store(a, j)
            store(b, j &+ 8)
            store(c, j &+ 16)
            store(d, j &+ 24)
            j &+= 32
        }
        while j &+ 8 <= length {
            var a = SIMD8<Float>()
            for t in 0..<taps { a += SIMD8<Float>(repeating: weights[t]) * load(offsets[t] &+ j) }
            store(a, j)
            j &+= 8
        }
        while j < length {
            var a: Float = 0
            for t in 0..<taps { a += weights[t] * base[offsets[t] &+ j] }
            out[j] = a
            j &+= 1
        }
    }

    /// Weight and/or input gradient (whichever pointer is given). Work is split by channel,
    /// so each worker owns its channels' kernel gradients and sums them over the batch.
    func backwardDepthwise(
        _ x: UnsafePointer<Float>?,
        _ dy: UnsafePointer<Float>,
        _ w: UnsafePointer<Float>?,
        dw: UnsafeMutablePointer<Float>?,
        dx: UnsafeMutablePointer<Float>?,
        _ g: WindowGeometry
    ) {
        let plan = DepthwisePlan(g)
        let window = g.kernelHeight * g.kernelWidth
        let (length, pitch, width) = (plan.flatLength, plan.paddedWidth, g.outputWidth)
        let (margin, paddedSize) = (plan.margin, plan.paddedSize)
        let rowPitch = g.strideHeight * plan.phaseWidth
        let rowsLength = (g.outputHeight - 1) * rowPitch + g.outputWidth
        self.computeTapOffsets(plan)
        let offsets = self.tapOffsets
        offsets.withUnsafeBufferPointer { offsets in
            let offsets = offsets.baseAddress!
            self.forEachPlane(g.channels, plan) { c, scratch in
                let padded = scratch
                let paddedGradient = scratch + paddedSize
                let extended = scratch + 2 * paddedSize
                for n in 0..<g.batch {
                    let p = n * g.channels + c
                    let gradient = dy + p * g.outputPlane
                    if let x { plan.pad(x + p * g.inputPlane, into: padded) }
                    if plan.flat {
                        // dy laid out with the padded pitch after `margin` zeros, zero elsewhere
                        let flat = extended + margin
                        extended.update(repeating: 0, count: margin + paddedSize)
                        for oh in 0..<g.outputHeight {
                            (flat + oh * pitch).update(from: gradient + oh * width, count: width)
                        }
                        if let dw {
                            for t in 0..<window {
                                dw[c * window + t] += Self.dot(flat, padded + offsets[t], count: length)
                            }
                        }
                        if let w {
                            // dpad[i] = Σ_t w[t] · dyFlat[i − offset[t]]: a forward pass over the gradient.
                            let (gather, kernel) = (offsets + window, w + c * window)
                            let target = paddedGradient
                            Self.windowSums(extended, gather, kernel, taps: window, length: paddedSize, into: target)
                        }
                    } else {
                        // dy laid out with the pitch of sh padded rows, zero elsewhere: every tap is
                        // then one long loop; the zeros cost about as much again, far less than
                        // short per-row loops do.
                        let flat = extended
                        flat.update(repeating: 0, count: rowsLength)
                        for oh in 0..<g.outputHeight {
                            (flat + oh * rowPitch).update(from: gradient + oh * width, count: width)
                        }
                        if let dw {
                            for t in 0..<window {
                                dw[c * window + t] += Self.dot(flat, padded + offsets[t], count: rowsLength)
                            }
                        }
                        if let w {
                            paddedGradient.update(repeating: 0, count: paddedSize)
                            for t in 0..<window {
                                let (weight, target) = (w[c * window + t], paddedGradient + offsets[t])
                                for j in 0..<rowsLength { target[j] += weight * flat[j] }
                            }
                        }
                    }
                    if let dx { plan.crop(paddedGradient, into: dx + p * g.inputPlane) }
                }
            }
        }
    }
}
