import Ambiguity
import MeanField
import Testing
import TestSupport

/// ρ = 0 or set `none`: the classical stationary mean-field game.
@Suite struct ClassicalGameTests {
    /// Two states, action `a` moves to state `a` from anywhere, `r(s, a, μ) = u_s − λ log μ(s)`, `τ > 0`.
    ///
    /// Derivation. `Q(s, a) = r(s) + γ V(a)`, so `V(s) = r(s) + C` with
    /// `C = τ log Σ_a exp(γ V(a)/τ)`, and `π(a|s) ∝ exp(γ V(a)/τ)` does not depend on `s`.
    /// Since every agent jumps to the chosen state, `Φ(μ, π)(t) = π(t)`, so stationarity
    /// means `μ(t) = π(t)`. Hence `z := log(μ1/μ0) = γ(V(1) − V(0))/τ = (γ/τ)(Δu − λ z)`
    /// with `Δu = u1 − u0`, i.e. `z = γΔu/(τ + γλ)` and `μ1 = 1/(1 + e^{−z})`.
    /// Finally `C = γC + τ log Σ_a exp(γ r(a)/τ)`, so `C = τ/(1−γ) · log Σ_a exp(γ r(a)/τ)`.
    @Test func twoStateClosedForm() throws {
        let u = [0.0, 1.0], lambda = 0.5, gamma = 0.8, tau = 0.5
        let game = try TestGames.twoStateLog(u: u, lambda: lambda, discount: gamma)
        let z = gamma * (u[1] - u[0]) / (tau + gamma * lambda)
        let mu1 = 1 / (1 + mathExp(-z))
        let expectedMu = [1 - mu1, mu1]
        let r = (0..<2).map { u[$0] - lambda * mathLog(expectedMu[$0]) }
        let c = tau / (1 - gamma) * mathLog(mathExp(gamma * r[0] / tau) + mathExp(gamma * r[1] / tau))
        let expectedV = [r[0] + c, r[1] + c]

        let result = try game.solveEquilibrium(options: .init(temperature: tau))
        #expect(result.method == .anderson)
        #expect(result.converged)
        #expect(isApproximatelyEqual(result.meanField, expectedMu, absolute: 1e-9, relative: 1e-9))
        #expect(isApproximatelyEqual(result.optimalValues, expectedV, absolute: 1e-9, relative: 1e-9))
        for s in 0..<2 {
            #expect(isApproximatelyEqual(result.policy[s, 1], mu1, absolute: 0, relative: 1e-9))
        }
        // A tv set of radius 0 is the same game.
        let tv0 = try TestGames.twoStateLog(u: u, lambda: lambda, discount: gamma, set: .totalVariation(), radius: 0)
        let robust = try tv0.solveEquilibrium(options: .init(temperature: tau))
        #expect(robust.converged)
        #expect(isApproximatelyEqual(robust.meanField, expectedMu, absolute: 1e-9, relative: 1e-9))
    }

    /// `τ = 0`, reward `u_s − κ μ(s)` with `u = (0, 1)`, `κ = 0.5`, `γ = 0.8`.
    ///
    /// Derivation. Try `μ* = (0, 1)` and "always go to state 1". Then `r(0) = 0`,
    /// `r(1) = 1 − κ = 0.5`, `V(1) = r(1)/(1 − γ) = 2.5`, `V(0) = r(0) + γV(1) = 2`.
    /// `Q(s, 1) − Q(s, 0) = γ(V(1) − V(0)) = 0.4 > 0`, so going to 1 is the strict best
    /// response everywhere, and its stationary distribution is `δ_1 = μ*`: an equilibrium.
    /// The default (`auto`: its direct attempt at `τ = 0`, mirror descent with the settled
    /// best-response check, converges before any continuation stage) and fictitious play both
    /// return the exact pure pair.
    @Test(arguments: [EquilibriumMethod.auto, .fictitiousPlay])
    func twoStatePureEquilibriumByFictitiousPlay(method: EquilibriumMethod) throws {
        let game = try TestGames.twoStateCongestion(u: [0, 1], kappa: 0.5, discount: 0.8)
        let result = try game.solveEquilibrium(options: .init(method: method))
        #expect(result.method == (method == .auto ? .mirrorDescent : method))
        if method == .auto {
            // No continuation stage ran: every pair was evaluated at the requested τ = 0.
            #expect(result.trace.allSatisfy { $0.temperature == 0 })
        }
        #expect(result.converged)
        #expect(result.meanField == [0, 1])
        #expect(result.policy.rows == [[0, 1], [0, 1]])
        #expect(isApproximatelyEqual(result.optimalValues, [2, 2.5], absolute: 1e-10, relative: 1e-10))
        #expect(isApproximatelyEqual(result.values, [2, 2.5], absolute: 1e-10, relative: 1e-10))
    }

    /// Anderson's fallback to the damped fixed point was reported only in the message,
    /// so the convergence plot could not mark it: the result lists the switch.
    @Test func andersonFallbackIsRecorded() throws {
        let game = try TestGames.lasryLions()
        // A budget of 6 leaves Anderson 3 iterations, too few at tolerance 1e-14.
        let result = try game.solveEquilibrium(options: .init(method: .anderson, temperature: 0.5, tolerance: 1e-14,
                                                              maxIterations: 6))
        #expect(result.switches == [MethodSwitch(iteration: 3, from: .anderson, to: .fixedPoint)])
        #expect(result.message.contains("switched to the damped fixed point at iteration 3"))
        let direct = try game.solveEquilibrium(options: .init(temperature: 0.5, tolerance: 1e-12))
        #expect(direct.switches.isEmpty)
    }

    /// The Lasry–Lions chain with `τ = 0.5`: plain damping oscillates, Anderson converges
    /// to the symmetric equilibrium.
    @Test func lasryLionsAnderson() throws {
        let game = try TestGames.lasryLions()
        let result = try game.solveEquilibrium(options: .init(temperature: 0.5, tolerance: 1e-12))
        #expect(result.method == .anderson)
        #expect(result.converged)
        #expect(result.stationarityResidual <= 1e-12)
        let mu = result.meanField
        #expect(abs(mu[3] - 0.3511) < 1e-4)
        #expect(abs(mu[2] - 0.2762) < 1e-4 && abs(mu[4] - 0.2762) < 1e-4)
        #expect(abs(mu[1] - 0.0472) < 1e-4 && abs(mu[5] - 0.0472) < 1e-4)
        #expect(abs(mu[2] - mu[4]) < 1e-9 && abs(mu[1] - mu[5]) < 1e-9 && abs(mu[0] - mu[6]) < 1e-9)

        let damped = try game.solveEquilibrium(options: .init(method: .fixedPoint, temperature: 0.5, maxIterations: 200))
        #expect(!damped.converged)
        #expect(damped.stationarityResidual > 0.1)
    }
}
