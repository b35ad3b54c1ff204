import FedTensor

/// The depthwise path (groups = in = out): each output plane is one input plane convolved with
/// its own kh×kw kernel. That is too little work per channel for sgemm, so these are direct
/// loops. Each plane is first copied into a zero-padded scratch plane, so the loops have no
/// bounds tests; with a column stride s the copy is split into s phase planes of every s-th
/// column, so every inner loop reads contiguous memory. At stride 1 the whole plane is one
/// flat loop per kernel tap (output rows laid out with the padded pitch, the few extra
/// columns discarded), which keeps 7×7 and 14×14 planes as fast as large ones.
extension Conv2d {
    /// Sizes of one plane's scratch.
    struct DepthwisePlan {
        var g: WindowGeometry
        /// Rows and columns of the padded plane that windows read.
        var paddedHeight: Int
        var paddedWidth: Int
        /// Columns of one phase plane: ⌈paddedWidth / strideWidth⌉.
        var phaseWidth: Int
        /// Length of the stride-1 flat loop: (outH − 1)·paddedWidth + outW.
        var flatLength: Int

        init(_ g: WindowGeometry) {
            self.g = g
            self.paddedHeight = (g.outputHeight - 1) * g.strideHeight + g.kernelHeight
            self.paddedWidth = (g.outputWidth - 1) * g.strideWidth + g.kernelWidth
            self.phaseWidth = (self.paddedWidth + g.strideWidth - 1) / g.strideWidth
            self.flatLength = (g.outputHeight - 1) * self.paddedWidth + g.outputWidth
        }

        var flat: Bool { self.g.strideHeight == 1 && self.g.strideWidth == 1 }
        var phaseSize: Int { self.paddedHeight * self.phaseWidth }
        var paddedSize: Int { self.g.strideWidth * self.phaseSize }
        /// Padded plane, its gradient, and the flat output or output-gradient rows.
        var scratchPerWorker: Int { 2 * self.paddedSize + self.flatLength }

        /// Scratch index of padded element (row r, column c).
        @inline(__always)
        func index(row r: Int, column c: Int) -> Int {
            (c % self.g.strideWidth) * self.phaseSize + r * self.phaseWidth + c / self.g.strideWidth
        }

        /// Positions i of phase p whose padded column i·s + p lies inside the input.
        func inputColumns(phase p: Int) -> Range<Int> {
            let count = (self.paddedWidth - p + self.g.strideWidth - 1) / self.g.strideWidth
            return WindowGeometry.valid(
                outputs: count,
                input: self.g.width,
                offset: p - self.g.left,
                stride: self.g.strideWidth
            )
        }

        /// Copies one input plane into the padded phase planes (zeros outside the input).
        func pad(_ x: UnsafePointer<Float>, into pad: UnsafeMutablePointer<Float>) {
            let s = self.g.strideWidth
            for p in 0..<s {
                let inside = self.inputColumns(phase: p)
                for r in 0..<self.paddedHeight {
                    let row = pad + p * self.phaseSize + r * self.phaseWidth
                    let ih = r - self.g.top
                    guard ih >= 0 && ih < self.g.height else {
                        row.update(repeating: 0, count: self.phaseWidth)
                        continue
                    }
                    let source = x + ih * self.g.width + p - self.g.left
                    for i in 0..<inside.lowerBound { row[i] = 0 }
                    if s == 1 {
                        for i in inside { row[i] = source[i] }
                    } else {
                        for i in inside { row[i] = source[i &* s] }
                    }
                    for i in inside.upperBound..<self.phaseWidth { row[i] = 0 }
                }
            }
        }

        /// The adjoint of `pad`: dx[ih, iw] = dpad at (ih + top, iw + left), 0 for input
        /// rows and columns no window reaches.
        func crop(_ pad: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
            let s = self.g.strideWidth
            dx.update(repeating: 0, count: self.g.inputPlane)
            for p in 0..<s {
                let inside = self.inputColumns(phase: p)
                for r in 0..<self.paddedHeight {
                    let ih = r - self.g.top
                    guard ih >= 0 && ih < self.g.height else { continue }
                    let row = pad + p * self.phaseSize + r * self.phaseWidth
                    let target = dx + ih * self.g.width + p - self.g.left
                    if s == 1 {
                        for i in inside { target[i] = row[i] }
                    } else {
                        for i in inside { target[i &* s] = row[i] }
                    }
                }
            }
        }
    }

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
        let (kh, kw, window) = (g.kernelHeight, g.kernelWidth, g.kernelHeight * g.kernelWidth)
        self.output.scalars.withUnsafeMutableBufferPointer { y in
            let y = y.baseAddress!
            self.forEachPlane(g.batch * g.channels, plan) { p, scratch in
                let kernel = w + (p % g.channels) * window
                let padded = scratch
                plan.pad(x + p * g.inputPlane, into: padded)
                let out = y + p * g.outputPlane
                if plan.flat {
                    // acc[oh·PW + ow] = Σ_taps w[ki,kj] · pad[(oh + ki)·PW + ow + kj]
                    // Loop bounds in locals: read through the captured plan, the compiler would
                    // reload them after every store and not vectorise.
                    let (length, pitch) = (plan.flatLength, plan.paddedWidth)
                    let acc = scratch + 2 * plan.paddedSize
                    acc.update(repeating: 0, count: length)
                    for ki in 0..<kh {
                        for kj in 0..<kw {
                            let weight = kernel[ki &* kw &+ kj]
                            let source = padded + (ki &* pitch &+ kj)
                            for j in 0..<length { acc[j] += weight * source[j] }
                        }
                    }
                    for oh in 0..<g.outputHeight {
                        (out + oh * g.outputWidth).update(from: acc + oh * plan.paddedWidth, count: g.outputWidth)
                    }
                    return
                }
                let (s, sh, width) = (g.strideWidth, g.strideHeight, g.outputWidth)
                let (phaseWidth, phaseSize) = (plan.phaseWidth, plan.phaseSize)
                for oh in 0..<g.outputHeight {
                    let row = out + oh &* width
                    row.update(repeating: 0, count: width)
                    for ki in 0..<kh {
                        let line = padded + (oh &* sh &+ ki) &* phaseWidth
                        // kernel column kj = q·s + phase reads phase plane `phase` at offset q
                        for phase in 0..<Swift.min(s, kw) {
                            var kj = phase
                            while kj < kw {
                                let weight = kernel[ki &* kw &+ kj]
                                let source = line + (phase &* phaseSize &+ kj / s)
                                for j in 0..<width { row[j] += weight * source[j] }
                                kj &+= s
                            }
                        }
                    }
                }
            }
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
        let (kh, kw, window, s) = (g.kernelHeight, g.kernelWidth, g.kernelHeight * g.kernelWidth, g.strideWidth)
        let (length, pitch, width, sh) = (plan.flatLength, plan.paddedWidth, g.outputWidth, g.strideHeight)
        let (phaseWidth, phaseSize) = (plan.phaseWidth, plan.phaseSize)
        self.forEachPlane(g.channels, plan) { c, scratch in
            let padded = scratch
            let paddedGradient = scratch + plan.paddedSize
            let flat = scratch + 2 * plan.paddedSize
            for n in 0..<g.batch {
                let p = n * g.channels + c
                let gradient = dy + p * g.outputPlane
                if let x { plan.pad(x + p * g.inputPlane, into: padded) }
                if dx != nil { paddedGradient.update(repeating: 0, count: plan.paddedSize) }
                if plan.flat {
                    // dy laid out with the padded pitch, zero in the extra columns
                    flat.update(repeating: 0, count: length)
                    for oh in 0..<g.outputHeight {
                        (flat + oh * pitch).update(from: gradient + oh * width, count: width)
                    }
                    for ki in 0..<kh {
                        for kj in 0..<kw {
                            let tap = ki &* pitch &+ kj
                            if let dw {
                                dw[c * window + ki * kw + kj] += RowReductions.dot(flat, padded + tap, count: length)
                            }
                            if let w {
                                let weight = w[c * window + ki * kw + kj]
                                let target = paddedGradient + tap
                                for j in 0..<length { target[j] += weight * flat[j] }
                            }
                        }
                    }
                } else {
                    for oh in 0..<g.outputHeight {
                        let from = gradient + oh &* width
                        for ki in 0..<kh {
                            let line = (oh &* sh &+ ki) &* phaseWidth
                            for phase in 0..<Swift.min(s, kw) {
                                var kj = phase
                                while kj < kw {
                                    let at = line &+ phase &* phaseSize &+ kj / s
                                    let tap = c * window + ki * kw + kj
                                    if let dw { dw[tap] += RowReductions.dot(from, padded + at, count: width) }
                                    if let w {
                                        let weight = w[tap]
                                        let target = paddedGradient + at
                                        for j in 0..<width { target[j] += weight * from[j] }
                                    }
                                    kj &+= s
                                }
                            }
                        }
                    }
                }
                if let dx { plan.crop(paddedGradient, into: dx + p * g.inputPlane) }
            }
        }
    }
}
