/// Batch norm's per-plane loops, sixteen values at a time. Images are large (a 224×224 batch's
/// early activations run to 150 MB) and these loops only stream memory, so each does everything
/// it can in one pass: statistics as shifted sums and sums of squares together; normalisation,
/// the optional ReLU6 and the optional residual add in the one write; and in backward, the ReLU6
/// mask recomputed from the batch norm's input instead of read from a stored output.
enum BatchNormKernels {
    typealias Vector = SIMD16<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ i: Int) -> Vector {
        UnsafeRawPointer(p + i).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: Vector.self)
    }

    /// Σ (x − shift) and Σ (x − shift)² over `count` values (the shift, a value of the same
    /// channel, keeps the variance from cancelling when the mean is far from zero).
    static func shiftedSums(_ x: UnsafePointer<Float>, count: Int, shift: Float) -> (Double, Double) {
        let k = Vector(repeating: shift)
        var (s0, s1, q0, q1) = (Vector(), Vector(), Vector(), Vector())
        var i = 0
        while i &+ 32 <= count {
            let a = load(x, i) - k
            let b = load(x, i &+ 16) - k
            s0 += a
            s1 += b
            q0 += a * a
            q1 += b * b
            i &+= 32
        }
        var sum = Double((s0 + s1).sum())
        var squares = Double((q0 + q1).sum())
        while i < count {
            let d = x[i] - shift
            sum += Double(d)
            squares += Double(d * d)
            i &+= 1
        }
        return (sum, squares)
    }

    /// y = x·a + b, clamped to [0, ceiling] when a ceiling is given, plus `residual` when given.
    static func affine(
        _ x: UnsafePointer<Float>,
        into y: UnsafeMutablePointer<Float>,
        count: Int,
        a: Float,
        b: Float,
        ceiling: Float?,
        residual: UnsafePointer<Float>?
    ) {
        let (va, vb) = (Vector(repeating: a), Vector(repeating: b))
        var i = 0
        if let ceiling {
            let (low, high) = (Vector(), Vector(repeating: ceiling))
            while i &+ 16 <= count {
                // Masked replacement: `clamped` and `pointwiseMin` compile to loops over the lanes here.
                let z = load(x, i) * va + vb
                let raised = z.replacing(with: 0, where: z .< low)
                store(raised.replacing(with: ceiling, where: raised .> high), y, i)
                i &+= 16
            }
            while i < count {
                y[i] = Swift.min(Swift.max(x[i] * a + b, 0), ceiling)
                i &+= 1
            }
        } else if let residual {
            while i &+ 16 <= count {
                store(load(x, i) * va + vb + load(residual, i), y, i)
                i &+= 16
            }
            while i < count {
                y[i] = x[i] * a + b + residual[i]
                i &+= 1
            }
        } else {
            while i &+ 16 <= count {
                store(load(x, i) * va + vb, y, i)
                i &+= 16
            }
            while i < count {
                y[i] = x[i] * a + b
                i &+= 1
            }
        }
    }

    /// Σ g and Σ g·x, where g is dy, zeroed where x·a + b fell outside (0, ceiling) when a
    /// ceiling is given (the ReLU6 after the batch norm passed no gradient there).
    static func gradientSums(
        _ dy: UnsafePointer<Float>,
        _ x: UnsafePointer<Float>,
        count: Int,
        a: Float,
        b: Float,
        ceiling: Float?
    ) -> (Double, Double) {
        var (s0, s1, p0, p1) = (Vector(), Vector(), Vector(), Vector())
        var i = 0
        var (sum, products) = (0.0, 0.0)
        if let ceiling {
            let (va, vb, low, high) = (Vector(repeating: a), Vector(repeating: b), Vector(), Vector(repeating: ceiling))
            while i &+ 16 <= count {
                let v = load(x, i)
                let z = v * va + vb
                let g = load(dy, i).replacing(with: 0, where: (z .<= low) .| (z .>= high))
                s0 += g
                p0 += g * v
                i &+= 16
            }
            while i < count {
                let z = x[i] * a + b
                let g = z > 0 && z < ceiling ? dy[i] : 0
                sum += Double(g)
                products += Double(g * x[i])
                i &+= 1
            }
        } else {
            while i &+ 32 <= count {
                let (g, h) = (load(dy, i), load(dy, i &+ 16))
                s0 += g
                s1 += h
                p0 += g * load(x, i)
                p1 += h * load(x, i &+ 16)
                i &+= 32
            }
            while i < count {
                sum += Double(dy[i])
                products += Double(dy[i] * x[i])
                i &+= 1
            }
        }
        return (sum + Double((s0 + s1).sum()), products + Double((p0 + p1).sum()))
    }

    /// dx = scale·g + c0 + c1·x, g as in `gradientSums`: the input gradient of a batch norm
    /// (c0 = c1 = 0 with fixed statistics).
    static func inputGradient(
        _ dy: UnsafePointer<Float>,
        _ x: UnsafePointer<Float>,
        into dx: UnsafeMutablePointer<Float>,
        count: Int,
        a: Float,
        b: Float,
        ceiling: Float?,
        scale: Float,
        c0: Float,
        c1: Float
    ) {
        let (vs, v0, v1) = (Vector(repeating: scale), Vector(repeating: c0), Vector(repeating: c1))
        var i = 0
        if let ceiling {
            let (va, vb, low, high) = (Vector(repeating: a), Vector(repeating: b), Vector(), Vector(repeating: ceiling))
            while i &+ 16 <= count {
                let v = load(x, i)
                let z = v * va + vb
                let g = load(dy, i).replacing(with: 0, where: (z .<= low) .| (z .>= high))
                store(vs * g + v0 + v1 * v, dx, i)
                i &+= 16
            }
            while i < count {
                let z = x[i] * a + b
                let g = z > 0 && z < ceiling ? dy[i] : 0
                dx[i] = scale * g + c0 + c1 * x[i]
                i &+= 1
            }
        } else {
            while i &+ 16 <= count {
                store(vs * load(dy, i) + v0 + v1 * load(x, i), dx, i)
                i &+= 16
            }
            while i < count {
                dx[i] = scale * dy[i] + c0 + c1 * x[i]
                i &+= 1
            }
        }
    }
}
