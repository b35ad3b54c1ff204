import FedTensor

/// The depthwise path's scratch layout for one plane: the zero-padded input split into
/// column-stride phase planes, and where each kernel tap reads in it.
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
        /// The largest tap offset at stride 1: zeros kept before the output gradient so the input
        /// gradient can be gathered like a forward pass.
        var margin: Int { self.flat ? (self.g.kernelHeight - 1) * self.paddedWidth + self.g.kernelWidth - 1 : 0 }
        /// Padded plane, its gradient, and the flat output (or the margin-padded output gradient).
        var scratchPerWorker: Int {
            2 * self.paddedSize + Swift.max(self.flatLength, self.margin + self.paddedSize)
        }

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

        /// Scratch offset of kernel tap (ki, kj) from the start of an output row's padded rows.
        func tapOffset(_ ki: Int, _ kj: Int) -> Int {
            if self.flat { return ki * self.paddedWidth + kj }
            let s = self.g.strideWidth
            return (kj % s) * self.phaseSize + ki * self.phaseWidth + kj / s
        }

        /// Copies one input plane into the padded phase planes (zeros outside the input).
        func pad(_ x: UnsafePointer<Float>, into pad: UnsafeMutablePointer<Float>) {
            let s = self.g.strideWidth
            if s == 2 {
                self.padStride2(x, into: pad)
                return
            }
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

        /// `pad` at column stride 2: each input row is read once, sixteen values at a time, and
        /// split into its even and odd columns with vector shuffles.
        private func padStride2(_ x: UnsafePointer<Float>, into pad: UnsafeMutablePointer<Float>) {
            let (left, width, phaseWidth, phaseSize) = (self.g.left, self.g.width, self.phaseWidth, self.phaseSize)
            // Input columns past the last window are never read.
            let used = Swift.max(0, Swift.min(width, self.paddedWidth - left))
            let parity = left & 1
            for r in 0..<self.paddedHeight {
                let rows = (pad + r * phaseWidth, pad + phaseSize + r * phaseWidth)
                rows.0.update(repeating: 0, count: phaseWidth)
                rows.1.update(repeating: 0, count: phaseWidth)
                let ih = r - self.g.top
                guard ih >= 0 && ih < self.g.height else { continue }
                let source = x + ih * width
                // Input column iw is padded column iw + left: phase (iw + left) & 1, index (iw + left) >> 1.
                let (first, second) = parity == 0 ? rows : (rows.1, rows.0)
                var iw = 0
                while iw + 16 <= used {
                    let v = UnsafeRawPointer(source + iw).loadUnaligned(as: SIMD16<Float>.self)
                    let (even, odd) = (first + ((iw + left) >> 1), second + ((iw + left + 1) >> 1))
                    UnsafeMutableRawPointer(even).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(odd).storeBytes(of: v.oddHalf, as: SIMD8<Float>.self)
                    iw += 16
                }
                while iw < used {
                    let c = iw + left
                    (c & 1 == 0 ? rows.0 : rows.1)[c >> 1] = source[iw]
                    iw += 1
                }
            }
        }

        /// The adjoint of `pad`: dx[ih, iw] = dpad at (ih + top, iw + left), 0 for input
        /// rows and columns no window reaches.
        func crop(_ pad: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
            let s = self.g.strideWidth
            if s == 2 {
                self.cropStride2(pad, into: dx)
                return
            }
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
        /// `crop` at column stride 2: even and odd columns are interleaved back sixteen at a time.
        private func cropStride2(_ pad: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
            let (left, width, phaseWidth, phaseSize) = (self.g.left, self.g.width, self.phaseWidth, self.phaseSize)
            let used = Swift.max(0, Swift.min(width, self.paddedWidth - left))
            let parity = left & 1
            dx.update(repeating: 0, count: self.g.inputPlane)
            for r in 0..<self.paddedHeight {
                let ih = r - self.g.top
                guard ih >= 0 && ih < self.g.height else { continue }
                let rows = (pad + r * phaseWidth, pad + phaseSize + r * phaseWidth)
                let (first, second) = parity == 0 ? rows : (rows.1, rows.0)
                let target = dx + ih * width
                var iw = 0
                while iw + 16 <= used {
                    var v = SIMD16<Float>()
                    v.evenHalf = UnsafeRawPointer(first + ((iw + left) >> 1)).loadUnaligned(as: SIMD8<Float>.self)
                    v.oddHalf = UnsafeRawPointer(second + ((iw + left + 1) >> 1)).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(target + iw).storeBytes(of: v, as: SIMD16<Float>.self)
                    iw += 16
                }
                while iw < used {
                    let c = iw + left
                    target[iw] = (c & 1 == 0 ? rows.0 : rows.1)[c >> 1]
                    iw += 1
                }
            }
        }
    }
}
