@testable import MeanField
import Testing

/// `(I − γP)⁻¹ c` by a dense solve of the merged chain `P` (the reference for the frozen
/// systems' iterative solves), with an issue recorded when the dense solve fails.
func denseDiscountedSolve(_ chain: TransitionMatrix, discount: Double, rewards c: [Double],
                          sourceLocation: SourceLocation = #_sourceLocation) -> [Double] {
    let n = c.count
    var a = [Double](repeating: 0, count: n * n)
    var b = c
    for s in 0..<n {
        a[s * n + s] += 1
        for k in chain.rowStart[s]..<chain.rowStart[s + 1] { a[s * n + chain.columns[k]] -= discount * chain.probabilities[k] }
    }
    #expect(DenseLinearSystem.solve(&a, &b, n: n), sourceLocation: sourceLocation)
    return b
}

/// Expects two solves to be bit-identical: mean field, policy, values and every trace entry's
/// exploitability and stationarity residual.
func expectIdentical(_ a: EquilibriumResult, _ b: EquilibriumResult, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.meanField == b.meanField, sourceLocation: sourceLocation)
    #expect(a.policy == b.policy, sourceLocation: sourceLocation)
    #expect(a.values == b.values, sourceLocation: sourceLocation)
    #expect(a.trace.map(\.exploitability) == b.trace.map(\.exploitability), sourceLocation: sourceLocation)
    #expect(a.trace.map(\.stationarityResidual) == b.trace.map(\.stationarityResidual), sourceLocation: sourceLocation)
}
