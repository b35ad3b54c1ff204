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
    /// to three channels and normalises.
    func render(source: UnsafePointer<UInt8>, set: ImageSet, transform: ImageTransform, into output: UnsafeMutablePointer<Float>) {
        let (outH, outW) = (self.height, self.width)
        let plane = outH * outW
        let channels = set.channels
        let (inW, inH) = (set.width, set.height)
        // Source pixels of the crop: the sample point is clamped to the crop's outer pixel centres.
        let minX = transform.cropX
        let minY = transform.cropY
        let maxX = transform.cropX + transform.cropWidth - 1
        let maxY = transform.cropY + transform.cropHeight - 1
        let scaleX = transform.cropWidth / Float(outW)
        let scaleY = transform.cropHeight / Float(outH)
        let (centreX, centreY) = (Float(outW) / 2, Float(outH) / 2)
        let rotated = transform.angle != 0
        let (cosine, sine) = (Float(cos(Double(transform.angle))), Float(sin(Double(transform.angle))))

        for oy in 0..<outH {
            for ox in 0..<outW {
                let o = oy * outW + ox
                var u = Float(ox) + 0.5
                var v = Float(oy) + 0.5
                if rotated {
                    let (du, dv) = (u - centreX, v - centreY)
                    u = centreX + du * cosine - dv * sine
                    v = centreY + du * sine + dv * cosine
                    if u < 0 || u > Float(outW) || v < 0 || v > Float(outH) {
                        for c in 0..<channels { output[c * plane + o] = 0 }
                        continue
                    }
                }
                if transform.flip { u = Float(outW) - u }
                let px = min(max(minX + u * scaleX - 0.5, minX), maxX)
                let py = min(max(minY + v * scaleY - 0.5, minY), maxY)
                let x0 = Int(px)
                let y0 = Int(py)
                let x1 = min(x0 + 1, inW - 1)
                let y1 = min(y0 + 1, inH - 1)
                let fx = px - Float(x0)
                let fy = py - Float(y0)
                let row0 = source + y0 * inW * channels
                let row1 = source + y1 * inW * channels
                for c in 0..<channels {
                    let a = Float(row0[x0 * channels + c])
                    let b = Float(row0[x1 * channels + c])
                    let d = Float(row1[x0 * channels + c])
                    let e = Float(row1[x1 * channels + c])
                    let top = a + (b - a) * fx
                    let bottom = d + (e - d) * fx
                    output[c * plane + o] = top + (bottom - top) * fy
                }
            }
        }
        self.adjustAndNormalize(output, plane: plane, channels: channels, transform: transform)
    }

    /// Pass 2 of `render`: brightness and contrast (on the 0–255 scale), grey to three
    /// channels, normalisation.
    private func adjustAndNormalize(
        _ output: UnsafeMutablePointer<Float>,
        plane: Int,
        channels: Int,
        transform: ImageTransform
    ) {
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
