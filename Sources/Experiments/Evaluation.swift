import Ambiguity
import MeanField

/// A policy's performance in the nominal model when the whole population uses it.
public struct NominalPerformance: Sendable, Hashable {
    /// `ν_π`: the policy's own stationary mean field under the nominal kernel,
    /// `ν = Φ_nom(ν, π)` (Docs/Theory.md, §2, with `population: nominal`).
    public let meanField: [Double]
    /// `J_nom(π) = Σ_s ν_π(s) V^π_nom(s)`, with `V^π_nom` the value of `π` at `ν_π`
    /// under the nominal kernel (set `none`) and the game's temperature.
    public let value: Double
    /// `‖Φ_nom(ν_π, π) − ν_π‖₁`: how stationary the returned `ν_π` is.
    public let residual: Double
}

/// The evaluations a robustness sweep is made of (Docs/Experiments.md, "Definitions").
///
/// All values are population averages `Σ_s μ(s) V(s)` of Docs/Theory.md's policy values
/// `V^π` (with the game's entropy temperature `τ`), so they are in the same
/// currency as the exploitability `E(π, μ) = Σ_s μ(s)[V*(s) − V^π(s)]`.
public enum Evaluation {
    /// The budget of population steps of the fixed point `ν = Φ_nom(ν, π)` when the kernel depends on `μ`.
    public static let fixedPointIterations = 2000

    /// `J_nom(π)` at the policy's own nominal stationary mean field.
    ///
    /// When `P̂` does not depend on `μ`, `ν_π` is the stationary distribution of the
    /// chain `Σ_a π(a|s) P̂(t|s, a)` (for a reducible chain: the limit from `start`), solved
    /// exactly (MeanField's `TransitionMatrix.stationaryDistribution(from:)`). Otherwise it is the
    /// fixed point of the population step `ν ← ν P̂_π(ν)` reached from `start` (a warm start)
    /// by Anderson acceleration, until `‖ν P̂_π(ν) − ν‖₁ ≤ 1e-13` or
    /// ``fixedPointIterations`` steps (each one snapshot of the game); ``NominalPerformance/residual``
    /// reports the result. (The damped iteration `ν ← ½ν + ½ Stat(π at ν)` used before does
    /// not converge on nearly reducible chains such as the crowd grid's two crowds: see
    /// Docs/Experiments.md, "μ-dependent kernels".)
    ///
    /// - Parameters:
    ///   - policy: `π`.
    ///   - game: the game (its own ambiguity set is ignored: the nominal kernel is used).
    ///   - start: where the search for `ν_π` starts (the sweep uses the policy's equilibrium `μ`).
    ///   - temperature: `τ`.
    ///   - options: value solves.
    /// - Throws: the game's validation errors; `MeanFieldError.numerical` when a value solve fails.
    public static func nominalPerformance(of policy: Policy, in game: MeanFieldGame, from start: [Double],
                                          temperature: Double, options: ValueSolverOptions = .init()) throws(MeanFieldError) -> NominalPerformance {
        let nominal = try game.with(ambiguity: .nominalOnly, radius: { _, _, _ in 0 }, radiusDependsOnMeanField: false)
        var nu: [Double]
        let residual: Double
        if nominal.kernelsDependOnMeanField {
            var first = start
            normalize(&first)
            let fixed = try nominal.policyMeanField(policy: policy, from: first, tolerance: 1e-13,
                                                    maxIterations: fixedPointIterations)
            nu = fixed.meanField
            residual = fixed.residual
        } else {
            let chain = try TransitionMatrix(policy: policy, kernels: nominal.snapshot(at: start).kernels)
            nu = chain.stationaryDistribution(from: start)
            normalize(&nu)
            residual = l1(chain.step(nu), nu)
        }
        let values = try solved(nominal.policyValues(policy: policy, meanField: nu, temperature: temperature, options: options))
        return NominalPerformance(meanField: nu, value: dot(nu, values), residual: residual)
    }

    /// `J_U(π; μ) = Σ_s μ(s) V^π_U(s)`: the robust value of `π` (Docs/Theory.md, §1: nature
    /// re-optimizes against `V^π` in every `(s, a)`) in `set` with the constant
    /// radius `radius`, the population held at `μ`.
    ///
    /// Non-increasing in `radius` and at most the value under any kernel inside the set.
    /// - Throws: validation errors; `MeanFieldError.numerical` when the value solve fails.
    public static func worstCaseValue(of policy: Policy, in game: MeanFieldGame, set: AmbiguitySet, radius: Double,
                                      at meanField: [Double], temperature: Double,
                                      options: ValueSolverOptions = .init()) throws(MeanFieldError) -> Double {
        let robust = try game.with(ambiguity: set, radius: { _, _, _ in radius }, radiusDependsOnMeanField: false)
        let values = try solved(robust.policyValues(policy: policy, meanField: meanField, temperature: temperature, options: options))
        return dot(meanField, values)
    }

    /// `J_K(π; μ) = Σ_s μ(s) V^π_K(s)`: the value of `π` when the true kernel is the
    /// fixed `kernels` (row `s·m + a`), the rewards evaluated at `μ`, the population held at `μ`.
    ///
    /// - Throws: `MeanFieldError.invalidKernel` for an invalid row;
    ///   `MeanFieldError.numerical` when the value solve fails.
    public static func kernelValue(of policy: Policy, in game: MeanFieldGame, kernels: [SparseDistribution],
                                   at meanField: [Double], temperature: Double,
                                   options: ValueSolverOptions = .init()) throws(MeanFieldError) -> Double {
        let fixed = try fixedKernelGame(game, kernels: kernels)
        let values = try solved(fixed.policyValues(policy: policy, meanField: meanField, temperature: temperature, options: options))
        return dot(meanField, values)
    }

    /// The game with the same rewards and discount but the fixed kernel `kernels` and no ambiguity.
    ///
    /// - Throws: `MeanFieldError.invalidGame` for a wrong number of rows,
    ///   the row validation of `MeanFieldGame`.
    public static func fixedKernelGame(_ game: MeanFieldGame, kernels: [SparseDistribution]) throws(MeanFieldError) -> MeanFieldGame {
        let m = game.actionCount
        guard kernels.count == game.stateCount * m else {
            throw .invalidGame(field: .transition, message: "\(kernels.count) rows, expected \(game.stateCount * m)")
        }
        let base = game
        return try MeanFieldGame(stateCount: game.stateCount, actionCount: m, discount: game.discount,
                                 ambiguity: .nominalOnly, stateNames: game.stateNames, actionNames: game.actionNames,
                                 reward: { s, a, mu throws(ModelError) in try base.reward(s, a, mu) },
                                 kernel: { s, a, _ in kernels[s * m + a] }, kernelDependsOnMeanField: false)
    }

    static func solved(_ solution: ValueSolution) throws(MeanFieldError) -> [Double] {
        guard solution.converged else {
            throw .numerical("robust policy evaluation did not converge (error bound \(solution.errorBound))")
        }
        return solution.values
    }

    static func dot(_ x: [Double], _ y: [Double]) -> Double {
        var s = 0.0
        for i in x.indices { s += x[i] * y[i] }
        return s
    }

    static func l1(_ x: [Double], _ y: [Double]) -> Double {
        var s = 0.0
        for i in x.indices { s += abs(x[i] - y[i]) }
        return s
    }

    static func normalize(_ x: inout [Double]) {
        var sum = 0.0
        for i in x.indices {
            if !(x[i] > 0) { x[i] = 0 }
            sum += x[i]
        }
        guard sum > 0 else { return }
        for i in x.indices { x[i] /= sum }
    }
}
