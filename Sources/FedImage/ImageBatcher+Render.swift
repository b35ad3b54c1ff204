import Foundation

extension ImageBatcher {
    /// Renders one source image [inH, inW, channels] through `transform` into three output
    /// planes [3, height, width] starting at `output`.
    ///
    /// Pass 1 samples, for each output pixel's centre, the point it came from: undo the
    /// rotation (about the output's centre; points that fall outside the frame are filled
    /// with 0, as torchvision's `rotate`), undo the mirror, map into the crop, and read the
    /// source bilinearly (values on the 0–255 scale, grey written to plane 0 only). Pass 2
    /// applies brightness, then contrast around the image's mean grey (torchvision's
    /// `adjust_brightness`, `adjust_contrast`, each clamped to the valid range), copies grey
    /// to three channels and normalises. Without rotation the sampling is separable (columns
    /// computed once per image), and without jitter pass 2 is folded into pass 1.
    func render(
        source: UnsafePointer<UInt8>,
        set: ImageSet,
        transform: ImageTransform,
        into output: UnsafeMutablePointer<Float>
    ) {
        let sampler = Sampler(set: set, transform: transform, height: self.height, width: self.width)
        let jitter = transform.brightness != 1 || transform.contrast != 1
        if transform.angle == 0 {
            self.renderSeparable(source: source, sampler: sampler, into: output, normalize: !jitter)
        } else {
            self.renderRotated(
                source: source,
                sampler: sampler,
                angle: transform.angle,
                into: output,
                normalize: !jitter
            )
        }
        if jitter { self.adjustAndNormalize(output, channels: set.channels, transform: transform) }
    }

    /// Where an output coordinate samples the source: the crop's offset and scale, and the
    /// clamp to its outer pixel centres (so a crop is resized within its own borders).
    struct Sampler {
        let inW: Int
        let inH: Int
        let channels: Int
        let outW: Int
        let outH: Int
        let transform: ImageTransform
        let scaleX: Float
        let scaleY: Float

        init(set: ImageSet, transform: ImageTransform, height: Int, width: Int) {
            (self.inW, self.inH, self.channels) = (set.width, set.height, set.channels)
            (self.outW, self.outH) = (width, height)
            self.transform = transform
            self.scaleX = transform.cropWidth / Float(width)
            self.scaleY = transform.cropHeight / Float(height)
        }

        /// Source column (continuous, pixel-index units) for output coordinate `u` (0…outW).
        @inline(__always) func sourceX(_ u: Float) -> Float {
            let flipped = self.transform.flip ? Float(self.outW) - u : u
            let x = self.transform.cropX + flipped * self.scaleX - 0.5
            return min(max(x, self.transform.cropX), self.transform.cropX + self.transform.cropWidth - 1)
        }

        @inline(__always) func sourceY(_ v: Float) -> Float {
            let y = self.transform.cropY + v * self.scaleY - 0.5
            return min(max(y, self.transform.cropY), self.transform.cropY + self.transform.cropHeight - 1)
        }
    }

    /// Pass 1 without rotation: per-column indices and weights computed once, then each row
    /// blends two source rows. With `normalize`, writes the normalised three planes directly.
    private func renderSeparable(
        source: UnsafePointer<UInt8>,
        sampler: Sampler,
        into output: UnsafeMutablePointer<Float>,
        normalize: Bool
    ) {
        let (outW, outH, inW, inH, channels) = (sampler.outW, sampler.outH, sampler.inW, sampler.inH, sampler.channels)
        let plane = outW * outH
        let (scale, offset) = normalize ? self.normalization.affine : ((1, 1, 1), (0, 0, 0))
        // Stack buffers: no heap allocation per image.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * outW) { columns in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: outW) { weights in
                for ox in 0..<outW {
                    let px = sampler.sourceX(Float(ox) + 0.5)
                    let x0 = Int(px)
                    columns[2 * ox] = x0 * channels
                    columns[2 * ox + 1] = min(x0 + 1, inW - 1) * channels
                    weights[ox] = px - Float(x0)
                }
                for oy in 0..<outH {
                    let py = sampler.sourceY(Float(oy) + 0.5)
                    let y0 = Int(py)
                    let fy = py - Float(y0)
                    let row0 = source + y0 * inW * channels
                    let row1 = source + min(y0 + 1, inH - 1) * inW * channels
                    let out = output + oy * outW
                    for ox in 0..<outW {
                        let (a, b, fx) = (columns[2 * ox], columns[2 * ox + 1], weights[ox])
                        for c in 0..<channels {
                            let top = Float(row0[a + c]) + (Float(row0[b + c]) - Float(row0[a + c])) * fx
                            let bottom = Float(row1[a + c]) + (Float(row1[b + c]) - Float(row1[a + c])) * fx
                            let value = top + (bottom - top) * fy
                            Self.store(value, c, channels, out + ox, plane, normalize, scale, offset)
                        }
                    }
                }
            }
        }
    }

    /// Pass 1 with rotation: each output pixel's centre is turned back about the output's
    /// centre (stepping along a row by (cos, sin)), then sampled as in `renderSeparable`;
    /// points outside the frame are 0. With `normalize`, writes the normalised three planes.
    private func renderRotated(
        source: UnsafePointer<UInt8>,
        sampler: Sampler,
        angle: Float,
        into output: UnsafeMutablePointer<Float>,
        normalize: Bool
    ) {
        let (outW, outH, inW, inH, channels) = (sampler.outW, sampler.outH, sampler.inW, sampler.inH, sampler.channels)
        let plane = outW * outH
        let (scale, offset) = normalize ? self.normalization.affine : ((1, 1, 1), (0, 0, 0))
        let (width, height) = (Float(outW), Float(outH))
        let (centreX, centreY) = (width / 2, height / 2)
        let (cosine, sine) = (Float(cos(Double(angle))), Float(sin(Double(angle))))
        let (fill0, fill1, fill2) = normalize ? (offset.0, offset.1, offset.2) : (0, 0, 0)
        for oy in 0..<outH {
            let (du, dv) = (0.5 - centreX, Float(oy) + 0.5 - centreY)
            let (rowU, rowV) = (centreX + du * cosine - dv * sine, centreY + du * sine + dv * cosine)
            let out = output + oy * outW
            for ox in 0..<outW {
                let u = rowU + Float(ox) * cosine
                let v = rowV + Float(ox) * sine
                guard u >= 0, u <= width, v >= 0, v <= height else {
                    out[ox] = fill0
                    if normalize || channels == 3 {
                        out[plane + ox] = fill1
                        out[2 * plane + ox] = fill2
                    }
                    continue
                }
                let px = sampler.sourceX(u)
                let py = sampler.sourceY(v)
                let (x0, y0) = (Int(px), Int(py))
                let (fx, fy) = (px - Float(x0), py - Float(y0))
                let row0 = source + y0 * inW * channels
                let row1 = source + min(y0 + 1, inH - 1) * inW * channels
                let (a, b) = (x0 * channels, min(x0 + 1, inW - 1) * channels)
                for c in 0..<channels {
                    let top = Float(row0[a + c]) + (Float(row0[b + c]) - Float(row0[a + c])) * fx
                    let bottom = Float(row1[a + c]) + (Float(row1[b + c]) - Float(row1[a + c])) * fx
                    let value = top + (bottom - top) * fy
                    Self.store(value, c, channels, out + ox, plane, normalize, scale, offset)
                }
            }
        }
    }

    /// Writes one sampled value: raw into its channel's plane, or normalised (grey into all three).
    @inline(__always)
    private static func store(
        _ value: Float,
        _ c: Int,
        _ channels: Int,
        _ out: UnsafeMutablePointer<Float>,
        _ plane: Int,
        _ normalize: Bool,
        _ scale: (Float, Float, Float),
        _ offset: (Float, Float, Float)
    ) {
        if !normalize {
            out[c * plane] = value
        } else if channels == 1 {
            out[0] = value * scale.0 + offset.0
            out[plane] = value * scale.1 + offset.1
            out[2 * plane] = value * scale.2 + offset.2
        } else {
            let s = c == 0 ? scale.0 : (c == 1 ? scale.1 : scale.2)
            let o = c == 0 ? offset.0 : (c == 1 ? offset.1 : offset.2)
            out[c * plane] = value * s + o
        }
    }

    /// Pass 2: brightness and contrast (on the 0–255 scale), grey to three channels,
    /// normalisation.
    private func adjustAndNormalize(_ output: UnsafeMutablePointer<Float>, channels: Int, transform: ImageTransform) {
        let plane = self.height * self.width
        if transform.brightness != 1 || transform.contrast != 1 {
            let b = transform.brightness
            var greySum: Float = 0
            for p in 0..<plane {
                for c in 0..<channels {
                    output[c * plane + p] = min(output[c * plane + p] * b, 255)
                }
                greySum +=
                    channels == 1
                    ? output[p] : 0.299 * output[p] + 0.587 * output[plane + p] + 0.114 * output[2 * plane + p]
            }
            let c = transform.contrast
            if c != 1 {
                let shift = (1 - c) * greySum / Float(plane)
                for i in 0..<(plane * channels) {
                    output[i] = min(max(c * output[i] + shift, 0), 255)
                }
            }
        }
        let (scale, offset) = self.normalization.affine
        if channels == 1 {
            for p in 0..<plane {
                let grey = output[p]
                output[p] = grey * scale.0 + offset.0
                output[plane + p] = grey * scale.1 + offset.1
                output[2 * plane + p] = grey * scale.2 + offset.2
            }
        } else {
            for p in 0..<plane {
                output[p] = output[p] * scale.0 + offset.0
                output[plane + p] = output[plane + p] * scale.1 + offset.1
                output[2 * plane + p] = output[2 * plane + p] * scale.2 + offset.2
            }
        }
    }
}
