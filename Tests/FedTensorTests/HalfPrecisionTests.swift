import Testing

@testable import FedTensor

struct HalfPrecisionTests {
    static let float16Cases: [(Float, UInt16)] = [
        (1, 0x3C00), (-2, 0xC000), (65504, 0x7BFF), (0.5, 0x3800), (.infinity, 0x7C00), (1e-8, 0x0000),
    ]
    static let bfloat16Cases: [(Float, UInt16)] = [
        (1, 0x3F80), (-2, 0xC000), (3.140625, 0x4049),
        // 1 + 2⁻⁸ lies halfway between two bfloat16 values: ties go to the even one (1).
        (1.00390625, 0x3F80),
        // 1 + 3·2⁻⁸ is halfway too, and rounds up to the even neighbour.
        (1.01171875, 0x3F82),
    ]

    @Test(arguments: float16Cases)
    func float16BitsMatchIEEEBinary16(value: Float, bits: UInt16) {
        #expect(HalfPrecision.float16Bits(value) == bits)
    }

    @Test(arguments: bfloat16Cases)
    func bfloat16BitsRoundToNearestEven(value: Float, bits: UInt16) {
        #expect(HalfPrecision.bfloat16Bits(value) == bits)
    }

    @Test func halfFormatsRoundTripTheirOwnValues() {
        for bits: UInt16 in [0x3C00, 0x0001, 0x7BFF, 0x8400, 0x3555] {
            #expect(HalfPrecision.float16Bits(HalfPrecision.float(fromFloat16: bits)) == bits)
        }
        for bits: UInt16 in [0x3F80, 0x0001, 0x7F7F, 0xC049] {
            #expect(HalfPrecision.bfloat16Bits(HalfPrecision.float(fromBFloat16: bits)) == bits)
        }
        #expect(HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16Bits(.nan)).isNaN)
    }
}
