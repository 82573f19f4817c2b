/// A policy's own mean field `ν = Φ(ν, π) = ν P_π(ν)` when the whole population uses a fixed
/// policy `π` and the kernel depends on `ν` (see ``MeanFieldGame/policyMeanField(policy:from:tolerance:maxIterations:)``).
package struct PolicyMeanField: Sendable, Hashable {
    /// `ν`: the iterate with the smallest residual.
    package let meanField: [Double]
    /// `‖ν P_π(ν) − ν‖₁`.
    package let residual: Double
    /// Population steps taken (each one snapshot of the game).
    package let iterations: Int
}

extension MeanFieldGame {
    /// The fixed point `ν = ν P_π(ν)` of the population step under a fixed policy, by Anderson
    /// acceleration (memory 8) of that step, from `start`.
    ///
    /// Why not `ν ← ½ν + ½ Stat(P_π(ν))`: when the chain is nearly reducible (the crowd grid's
    /// two crowds, joined with probability below `10⁻²⁰`) its exact stationary law moves mass
    /// between the nearly closed blocks by amounts that the tiny couplings decide, so that map
    /// oscillates (L1 steps of 0.3 after 60 iterations on the 384-state crowd grid) where the
    /// population step contracts (by about 0.996 per step there). Anderson acceleration of the
    /// step reaches `10⁻¹³` in about 130 steps where the plain step needs thousands; a step
    /// costs one snapshot and `O(nnz)`. Each extrapolated point is projected on the simplex;
    /// a residual more than 4 times the best one restarts the history from the best point.
    ///
    /// - Parameters:
    ///   - policy: `π`.
    ///   - start: where the iteration starts (a warm start, e.g. the policy's equilibrium `μ`).
    ///   - tolerance: stop when `‖ν P_π(ν) − ν‖₁ ≤ tolerance`.
    ///   - maxIterations: the budget of population steps.
    /// - Throws: the snapshot's validation errors; ``MeanFieldError/invalidPolicy(_:)``.
    package func policyMeanField(policy: Policy, from start: [Double], tolerance: Double,
                                 maxIterations: Int) throws(MeanFieldError) -> PolicyMeanField {
        let memory = 8
        func step(_ nu: [Double]) throws(MeanFieldError) -> [Double] {
            try TransitionMatrix(policy: policy, kernels: snapshot(at: nu).kernels).step(nu)
        }
        var x = start
        var f = SolverRun.difference(try step(x), x)
        var norm = SolverRun.norm1(f)
        var best = (x: x, f: f, norm: norm)
        var dX: [[Double]] = [], dF: [[Double]] = []
        var k = 1
        while norm > tolerance, k < maxIterations {
            var gammas = SolverRun.leastSquares(&dF, &dX, f)
            if gammas.count != dF.count { gammas = [] }
            var next = x
            for t in next.indices { next[t] += f[t] }
            for (j, g) in gammas.enumerated() {
                for t in next.indices { next[t] -= g * (dX[j][t] + dF[j][t]) }
            }
            Simplex.project(&next)
            let fNext = SolverRun.difference(try step(next), next)
            let normNext = SolverRun.norm1(fNext)
            k += 1
            if normNext > 4 * best.norm {
                // Diverging: forget the history, restart from the best point with a plain step.
                dX = []
                dF = []
                (x, f, norm) = best
                var plain = x
                for t in plain.indices { plain[t] += f[t] }
                Simplex.project(&plain)
                x = plain
                f = SolverRun.difference(try step(x), x)
                norm = SolverRun.norm1(f)
                k += 1
            } else {
                dX.append(SolverRun.difference(next, x))
                dF.append(SolverRun.difference(fNext, f))
                if dX.count > memory {
                    dX.removeFirst()
                    dF.removeFirst()
                }
                (x, f, norm) = (next, fNext, normNext)
            }
            if norm < best.norm { best = (x, f, norm) }
        }
        return PolicyMeanField(meanField: best.x, residual: best.norm, iterations: k)
    }
}
