/// Conversions between Float32 and the two 16-bit formats safetensors files carry.
///
/// Float16 uses the standard library's IEEE half type. BFloat16 is the top half of a
/// Float32's bits, rounded to nearest-even on the way down (as PyTorch does), with
/// NaN kept a quiet NaN.
package enum HalfPrecision {
    /// The IEEE binary16 bits of `value`, rounded to nearest-even.
    @inlinable
    package static func float16Bits(_ value: Float) -> UInt16 {
        Float16(value).bitPattern
    }

    /// The Float32 value of IEEE binary16 bits.
    @inlinable
    package static func float(fromFloat16 bits: UInt16) -> Float {
        Float(Float16(bitPattern: bits))
    }

    /// The bfloat16 bits of `value`, rounded to nearest-even.
    @inlinable
    package static func bfloat16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let lsb = (bits >> 16) & 1
        let rounded = bits &+ 0x7FFF &+ lsb
        return UInt16(truncatingIfNeeded: rounded >> 16)
    }

    /// The Float32 value of bfloat16 bits (exact).
    @inlinable
    package static func float(fromBFloat16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
