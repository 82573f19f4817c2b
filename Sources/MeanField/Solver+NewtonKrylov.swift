/// The Newton–Krylov variant of the Newton polish (Docs/Solvers.md, "newton"): on games of at
/// least ``NewtonPolish/krylovStates`` states the Newton step `J δ = −F` is solved by GMRES,
/// each product `J v` one directional forward difference of `F(μ) = Φ(μ, BR_τ(μ)) − μ` (one
/// pair evaluation), instead of a dense Jacobian of `n − 1` evaluations.
extension NewtonPolish {
    /// Games with at least this many states take Newton–Krylov steps.
    static let krylovStates = 150
    /// GMRES stops once `‖J δ + F‖₂ ≤ krylovTolerance · ‖F‖₂`.
    static let krylovTolerance = 1e-3
    /// At most this many Krylov vectors (pair evaluations) per Newton step.
    static let maxKrylov = 60

    /// A Newton–Krylov polish of ``EquilibriumMethod/auto`` stops after this many steps in a
    /// row that cut the residual by less than ``stopRatio``.
    static let maxSlowSteps = 3

    static func usesKrylov(stateCount: Int) -> Bool { stateCount >= krylovStates }
}

/// GMRES's Arnoldi process with Givens rotations, for one Newton–Krylov step: the basis
/// `v_0 … v_k` (orthonormal in the Euclidean norm), the rotated Hessenberg matrix and the
/// rotated right-hand side `g`, whose last entry is the residual norm of the current solution.
struct KrylovSpace {
    private(set) var basis: [[Double]]
    /// Column `j` of the rotated (upper triangular) Hessenberg matrix, `j + 1` entries.
    private(set) var columns: [[Double]] = []
    private var cosines: [Double] = []
    private var sines: [Double] = []
    private(set) var g: [Double]

    /// The space of `r`, `nil` when `r = 0`.
    init?(_ r: [Double]) {
        let beta = KrylovSpace.norm(r)
        guard beta > 0, beta.isFinite else { return nil }
        basis = [r.map { $0 / beta }]
        g = [beta]
    }

    /// The residual norm `‖b − A y‖₂` of the current least-squares solution.
    var residual: Double { abs(g[g.count - 1]) }

    /// Adds `w = A v_k` (orthogonalized twice, modified Gram–Schmidt); returns `false` on a
    /// breakdown (`w` in the span: the current solution is exact) or a non-finite `w`.
    mutating func extend(_ image: [Double]) -> Bool {
        var w = image
        let k = basis.count
        var h = [Double](repeating: 0, count: k + 1)
        for _ in 0..<2 {
            for i in 0..<k {
                let c = innerProduct(w, basis[i])
                h[i] += c
                for t in w.indices { w[t] -= c * basis[i][t] }
            }
        }
        let norm = KrylovSpace.norm(w)
        guard norm.isFinite, h.allSatisfy({ $0.isFinite }) else { return false }
        h[k] = norm
        for i in 0..<(k - 1) where i < cosines.count {
            let a = h[i], b = h[i + 1]
            h[i] = cosines[i] * a + sines[i] * b
            h[i + 1] = -sines[i] * a + cosines[i] * b
        }
        let a = h[k - 1], b = h[k]
        let r = (a * a + b * b).squareRoot()
        let c = r > 0 ? a / r : 1, s = r > 0 ? b / r : 0
        cosines.append(c)
        sines.append(s)
        h[k - 1] = r
        h.removeLast()
        columns.append(h)
        let last = g[k - 1]
        g[k - 1] = c * last
        g.append(-s * last)
        guard norm > 1e-14 * r, r > 0 else { return false }
        basis.append(w.map { $0 / norm })
        return true
    }

    /// `Σ y_i v_i` with `y` the least-squares solution over the columns so far.
    func solution() -> [Double]? {
        let k = columns.count
        guard k > 0 else { return nil }
        var y = [Double](repeating: 0, count: k)
        var i = k - 1
        while i >= 0 {
            var s = g[i]
            for j in (i + 1)..<k { s -= columns[j][i] * y[j] }
            guard columns[i][i] != 0 else { return nil }
            y[i] = s / columns[i][i]
            i -= 1
        }
        var x = [Double](repeating: 0, count: basis[0].count)
        for j in 0..<k {
            for t in x.indices { x[t] += y[j] * basis[j][t] }
        }
        return x.allSatisfy({ $0.isFinite }) ? x : nil
    }

    static func norm(_ a: [Double]) -> Double { innerProduct(a, a).squareRoot() }
}

extension SolverRun {
    /// The Newton–Krylov step at `p`: GMRES on `J D w = −F` with the right preconditioner
    /// `D w = μ ⊙ (w − (μ·w) 1)` (the tangent space `Σδ = 0`, scaled by the masses, so that
    /// `μ + h D w = μ ⊙ (1 + h(w − (μ·w)1))` stays a distribution for `h ‖w‖∞ ≤ 1/2`), each
    /// product by a forward difference (``NewtonPolish/differenceStep`` in L1); at most
    /// ``NewtonPolish/maxKrylov`` products, or ``NewtonPolish/krylovTolerance``. Returns
    /// `δ = D w` and the number of pair evaluations, `nil` for `δ` when GMRES breaks down at
    /// once or its solution is not finite.
    mutating func newtonKrylovStep(at p: PairEvaluation) throws(MeanFieldError) -> (delta: [Double]?, evaluations: Int) {
        let mu = p.meanField
        let f = SolverRun.difference(p.populationUpdate, mu)
        guard var space = KrylovSpace(f.map { -$0 }) else { return (nil, 0) }
        let target = NewtonPolish.krylovTolerance * space.residual
        var evaluations = 0
        while evaluations < NewtonPolish.maxKrylov, space.residual > target {
            let v = space.basis[space.basis.count - 1]
            let d = Self.scaledDirection(v, mu: mu)
            let c = innerProduct(mu, v)
            var l1 = 0.0, top = 0.0
            for s in d.indices { l1 += abs(d[s]) }
            for s in v.indices { top = max(top, abs(v[s] - c)) }
            guard l1 > 0 else { break }
            let h = min(NewtonPolish.differenceStep / l1, 0.5 / top)
            var x = mu
            for s in x.indices { x[s] += h * d[s] }
            let q = try evaluator.bestResponsePair(x)
            evaluations += 1
            var image = [Double](repeating: 0, count: mu.count)
            for s in image.indices { image[s] = ((q.populationUpdate[s] - x[s]) - f[s]) / h }
            guard space.extend(image) else { break }
        }
        newtonEvaluations += evaluations
        guard let w = space.solution() else { return (nil, evaluations) }
        return (Self.scaledDirection(w, mu: mu), evaluations)
    }

    /// `D w = μ ⊙ (w − (μ·w) 1)`: a direction of the tangent space `Σδ = 0` scaled by the masses.
    static func scaledDirection(_ w: [Double], mu: [Double]) -> [Double] {
        let c = innerProduct(mu, w)
        var d = [Double](repeating: 0, count: w.count)
        for s in d.indices { d[s] = mu[s] * (w[s] - c) }
        return d
    }
}

extension SolverRun {
    /// The Newton polish with Newton–Krylov steps (``newtonKrylovStep(at:)``), each followed by
    /// the line search of ``newtonLineSearch(_:delta:)``. `local` (``EquilibriumMethod/auto``):
    /// within the solve's ``NewtonPolish/evaluationBudget``, and stopped after
    /// ``NewtonPolish/maxSlowSteps`` steps in a row that cut the residual by less than
    /// ``NewtonPolish/stopRatio``; otherwise as long as the line search makes progress.
    mutating func newtonKrylovPolish(from start: PairEvaluation, local: Bool) throws(MeanFieldError) -> NewtonPolish.Outcome {
        var p = start
        var steps = 0, products = 0, slow = 0
        var stats: String { "\(steps) Newton–Krylov steps, \(products) GMRES products (pair evaluations)" }
        while true {
            if isConverged(p) {
                record(p, change: 0)
                return .finished(try finish(p, converged: true, message: convergedMessage(p) + "; Newton polish: " + stats))
            }
            if trace.count + 1 >= options.maxIterations {
                record(p, change: 0)
                return .finished(try finish(p, converged: false, message: budgetMessage(p) + "; Newton polish: " + stats))
            }
            guard !local || newtonEvaluations + NewtonPolish.maxKrylov <= NewtonPolish.evaluationBudget else {
                record(p, change: 0)
                return .stopped(best: p, reason: "the Newton polish stopped, the solve's \(NewtonPolish.evaluationBudget) evaluations for it used up (\(stats))")
            }
            let (delta, used) = try newtonKrylovStep(at: p)
            products += used
            guard let delta, let (next, x) = try newtonLineSearch(p, delta: delta) else {
                record(p, change: 0)
                return .stopped(best: p, reason: "the Newton polish stopped, no step lowered the stationarity residual (\(stats))")
            }
            record(p, change: Simplex.l1(x, p.meanField))
            slow = next.stationarityResidual > NewtonPolish.stopRatio * p.stationarityResidual ? slow + 1 : 0
            p = next
            steps += 1
            if local, slow >= NewtonPolish.maxSlowSteps, !isConverged(p) {
                record(p, change: 0)
                return .stopped(best: p, reason: "the Newton polish stopped, \(slow) steps in a row cut the residual by less than half (\(stats))")
            }
        }
    }
}
