import FedSecAgg
import Testing

@Suite struct SecureAggregationTests {
    @Test func sumsModulo2To32() {
        #expect(SecureAggregation.modulusBits == 32)
    }
}
