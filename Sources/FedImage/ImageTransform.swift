import FedTensor
import Foundation

/// What happens to one image on its way into a batch: the region of the source taken
/// (then resized to the output), a left–right mirror, a rotation, and brightness and
/// contrast factors. The identity takes the whole image and changes nothing else.
package struct ImageTransform: Sendable, Equatable {
    /// Crop in source pixels: left edge, top edge, width, height (edges on pixel borders).
    package var cropX: Float
    package var cropY: Float
    package var cropWidth: Float
    package var cropHeight: Float
    package var flip: Bool = false
    /// Counter-clockwise rotation in radians, about the output's centre (torchvision's sense).
    package var angle: Float = 0
    package var brightness: Float = 1
    package var contrast: Float = 1

    package init(
        cropX: Float,
        cropY: Float,
        cropWidth: Float,
        cropHeight: Float,
        flip: Bool = false,
        angle: Float = 0,
        brightness: Float = 1,
        contrast: Float = 1
    ) {
        (self.cropX, self.cropY, self.cropWidth, self.cropHeight) = (cropX, cropY, cropWidth, cropHeight)
        (self.flip, self.angle, self.brightness, self.contrast) = (flip, angle, brightness, contrast)
    }

    /// The whole `height` × `width` image, unchanged.
    package static func identity(height: Int, width: Int) -> ImageTransform {
        ImageTransform(cropX: 0, cropY: 0, cropWidth: Float(width), cropHeight: Float(height))
    }

    /// A transform drawn from `settings` for a `height` × `width` source image, in a fixed
    /// order (flip, crop, rotation, brightness, contrast) and only for the transforms that
    /// are on, so the same generator state always gives the same transform.
    package static func random(
        _ settings: AugmentationSettings,
        height: Int,
        width: Int,
        using generator: inout SeededGenerator
    ) -> ImageTransform {
        var transform = ImageTransform.identity(height: height, width: width)
        if settings.horizontalFlip { transform.flip = generator.nextUniform() < 0.5 }
        if let scale = settings.cropScale {
            let (top, left, h, w) = self.randomResizedCrop(
                height: height,
                width: width,
                scale: scale[0]...scale[1],
                ratio: settings.cropRatio[0]...settings.cropRatio[1],
                using: &generator
            )
            (transform.cropX, transform.cropY, transform.cropWidth, transform.cropHeight) =
                (Float(left), Float(top), Float(w), Float(h))
        }
        if settings.rotationDegrees > 0 {
            let degrees = self.uniform(-settings.rotationDegrees...settings.rotationDegrees, &generator)
            transform.angle = Float(degrees * Double.pi / 180)
        }
        if settings.brightness > 0 {
            transform.brightness = Float(
                self.uniform(max(0, 1 - settings.brightness)...(1 + settings.brightness), &generator)
            )
        }
        if settings.contrast > 0 {
            transform.contrast = Float(
                self.uniform(max(0, 1 - settings.contrast)...(1 + settings.contrast), &generator)
            )
        }
        return transform
    }

    /// torchvision's `RandomResizedCrop.get_params`: up to ten draws of an area fraction in
    /// `scale` and a log-uniform aspect ratio in `ratio`, the first crop that fits placed
    /// uniformly; otherwise the central crop with the ratio clamped into `ratio`. Sides are
    /// rounded half to even, as Python's `round`. Returns (top, left, height, width).
    static func randomResizedCrop(
        height: Int,
        width: Int,
        scale: ClosedRange<Double>,
        ratio: ClosedRange<Double>,
        using generator: inout SeededGenerator
    ) -> (top: Int, left: Int, height: Int, width: Int) {
        let area = Double(height * width)
        let logRatio = log(ratio.lowerBound)...log(ratio.upperBound)
        for _ in 0..<10 {
            let target = area * self.uniform(scale, &generator)
            let aspect = exp(self.uniform(logRatio, &generator))
            let w = Int((target * aspect).squareRoot().rounded(.toNearestOrEven))
            let h = Int((target / aspect).squareRoot().rounded(.toNearestOrEven))
            if w > 0, w <= width, h > 0, h <= height {
                let top = generator.nextIndex(below: height - h + 1)
                let left = generator.nextIndex(below: width - w + 1)
                return (top, left, h, w)
            }
        }
        let inRatio = Double(width) / Double(height)
        var (w, h) = (width, height)
        if inRatio < ratio.lowerBound {
            h = Int((Double(w) / ratio.lowerBound).rounded(.toNearestOrEven))
        } else if inRatio > ratio.upperBound {
            w = Int((Double(h) * ratio.upperBound).rounded(.toNearestOrEven))
        }
        return ((height - h) / 2, (width - w) / 2, h, w)
    }

    /// A uniform draw in `range` (53 random bits).
    private static func uniform(_ range: ClosedRange<Double>, _ generator: inout SeededGenerator) -> Double {
        let unit = Double(generator.next() >> 11) * 0x1p-53
        return range.lowerBound + unit * (range.upperBound - range.lowerBound)
    }
}
