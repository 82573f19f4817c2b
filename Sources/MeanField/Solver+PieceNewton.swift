import Ambiguity

/// The piece Newton stage of ``EquilibriumMethod/auto`` (Docs/Solvers.md, "The piece Newton
/// stage"): Newton–Krylov on one smooth piece of the population map.
///
/// With a total-variation set nature's worst case in a row is built by a closed form whose
/// combinatorial structure — the receiver `i*`, the donors it empties, the donor it takes only
/// part of, or none when the whole budget `1 − p(i*)` is moved — changes where a donor's mass
/// crosses the radius (`min(ρ, go)` on the crowd grid). Within one structure the worst case is
/// affine in the nominal row, so `G(μ) = Φ(μ, BR_τ(μ))` is smooth there; where a fixed point sits
/// on such a switch, `G` is only piecewise smooth and Newton's linear model (the polish's)
/// fails across it. This stage freezes every row's structure (a *piece*), extends it affinely
/// beyond its switches (a partial donor may go negative there), solves the smooth fixed point of
/// that piece by Newton–Krylov, and hands the solution to the ordinary evaluation: it is returned
/// only when its exploitability and residual, evaluated from scratch with nature's true worst
/// case, meet the tolerance — which holds when it lies in its own piece (there the frozen and the
/// true worst case agree) or on a switch of it (where both sides agree).
enum PieceNewton {
    /// Games with more states skip the stage (as the Newton polish).
    static let stateLimit = NewtonPolish.stateLimit
    /// A row is near a switch when one of its margins (mass, below) is at most this.
    static let switchMargin = 1e-3
    /// At most this many groups of near-switch rows are enumerated (`2^k` pieces).
    static let maxGroups = 3
    /// Newton steps per piece.
    static let maxSteps = 12
    /// A piece's fixed point is solved to this L1 residual of its own map.
    static let pieceTolerance = 1e-13
    /// GMRES per Newton step: relative residual and product limit.
    static let krylovTolerance = 1e-8
    static let maxKrylov = 120
    /// The forward-difference step (L1) of the directional derivatives (the piece map is smooth,
    /// so the step may cross the switches it froze).
    static let differenceStep = 1e-6
    /// Value iterations of one piece evaluation.
    static let maxSweeps = 5000

    /// Whether `auto` tries the stage: `τ > 0`, a tv set with the `index` tie rule and no
    /// per-row polyhedral sets, at most ``stateLimit`` states.
    static func applies(game: MeanFieldGame, temperature: Double) -> Bool {
        temperature > 0 && game.stateCount >= 2 && game.stateCount <= stateLimit
            && game.ambiguity.kind == .tv && game.ambiguity.ties == .index && game.rowSetFunction == nil
    }
}

/// One row's worst-case structure under total variation (the closed form of `TotalVariation`):
/// the receiver `i*`, the emptied donors and the partly taken donor. With `partial` the moved
/// mass is the radius `ρ`; without it, the emptied donors' mass (`1 − p(i*)` when every other
/// state is emptied). `receiver < 0`: nothing moves (`q = p`).
struct FrozenRow: Hashable {
    var receiver: Int
    var emptied: [Int]
    var partial: Int

    static let still = FrozenRow(receiver: -1, emptied: [], partial: -1)

    /// The structure of the worst case `q` of the nominal row `p` (both with increasing indices,
    /// `q` without zero entries): the receiver gains, emptied donors vanish, the partial donor
    /// keeps part of its mass.
    init(nominal p: SparseDistribution, worstCase q: SparseDistribution) {
        self = .still
        let qDense = Dictionary(zip(q.indices, q.probabilities), uniquingKeysWith: +)
        let pDense = Dictionary(zip(p.indices, p.probabilities), uniquingKeysWith: +)
        for t in Set(p.indices).union(q.indices).sorted() {
            let pt = pDense[t] ?? 0, qt = qDense[t] ?? 0
            if qt > pt {
                receiver = t
            } else if qt == 0, pt > 0 {
                emptied.append(t)
            } else if qt < pt {
                partial = t
            }
        }
        if receiver < 0 { self = .still }
    }

    init(receiver: Int, emptied: [Int], partial: Int) {
        self.receiver = receiver
        self.emptied = emptied
        self.partial = partial
    }

    /// The frozen worst case at the nominal row `p` and radius `rho`: affine in `p`, equal to the
    /// closed form's where the structure holds, and extended beyond it (entries may be negative).
    func kernel(nominal p: SparseDistribution, radius rho: Double) -> SparseDistribution {
        guard receiver >= 0 else { return p }
        var idx = p.indices, pr = p.probabilities
        if !idx.contains(receiver) {
            let at = idx.firstIndex { $0 > receiver } ?? idx.count
            idx.insert(receiver, at: at)
            pr.insert(0, at: at)
        }
        var drained = 0.0
        for (k, t) in idx.enumerated() where emptied.contains(t) {
            drained += pr[k]
            pr[k] = 0
        }
        let moved = partial >= 0 ? rho : drained
        for (k, t) in idx.enumerated() {
            if t == partial { pr[k] -= rho - drained }
            if t == receiver { pr[k] += moved }
        }
        return SparseDistribution(indices: idx, probabilities: pr)
    }
}

extension FrozenRow {
    /// The row's nearest switch (`nil` when nothing moves): the smallest mass margin to a change
    /// of its structure, the structure across it, and the direction in which the radius would
    /// have to move to cross it (`+1`: the structure across is the closed form's at radius
    /// `ρ + margin + ε`; `−1`: at `ρ − margin − ε`; a change of the donor masses crosses the same
    /// switch). Donors are taken in decreasing `(V_t, t)` (`values`: the `V` the worst case was
    /// computed against). Margins: the partial donor's leftover (across it the donor is emptied
    /// and the next one becomes partial, or the whole budget `1 − p(i*)` moves), and the radius
    /// left after the emptied donors (across it the last emptied donor keeps part of its mass).
    func nearestSwitch(nominal p: SparseDistribution, radius rho: Double,
                       values v: [Double]) -> (margin: Double, across: FrozenRow, direction: Double)? {
        guard receiver >= 0 else { return nil }
        func mass(_ t: Int) -> Double { p.indices.firstIndex(of: t).map { p.probabilities[$0] } ?? 0 }
        func above(_ a: Int, _ b: Int) -> Bool { v[a] > v[b] || (v[a] == v[b] && a > b) }
        var drained = 0.0
        for t in emptied { drained += mass(t) }
        var best: (margin: Double, across: FrozenRow, direction: Double)? = nil
        if partial >= 0 {
            var next = -1
            for t in p.indices where t != receiver && t != partial && !emptied.contains(t) {
                if next < 0 || above(t, next) { next = t }
            }
            best = (mass(partial) - (rho - drained), FrozenRow(receiver: receiver, emptied: emptied + [partial], partial: next), 1)
        }
        if let last = emptied.min(by: { above($1, $0) }) {
            let margin = rho - drained
            if best.map({ margin < $0.margin }) ?? true {
                best = (margin, FrozenRow(receiver: receiver, emptied: emptied.filter { $0 != last }, partial: last), -1)
            }
        }
        return best
    }
}

/// The population map of one piece: nature's worst case frozen row by row (``FrozenRow``), so
/// that `μ ↦ Φ(μ, BR_τ(μ))` is smooth. `V` solves the soft Bellman equation with the frozen
/// kernels (a `γ`-contraction up to the small negative entries beyond a switch), `π` is its
/// softmax, and `Φ` moves `μ` under `π` and the frozen kernels (or the nominal ones).
struct PieceMap {
    let game: MeanFieldGame
    let rows: [FrozenRow]
    let temperature: Double
    let population: PopulationModel

    /// `Φ(μ, π)` of the piece and the values it came from.
    struct Image {
        let update: [Double]
        let values: [Double]
    }

    func image(_ mu: [Double], warm: [Double]) throws(MeanFieldError) -> Image {
        let snap = try game.snapshot(at: mu)
        let kernels = rows.indices.map { rows[$0].kernel(nominal: snap.kernels[$0], radius: snap.radii[$0]) }
        let (values, q) = Self.softValues(snap, kernels: kernels, temperature: temperature, warm: warm)
        let n = snap.stateCount, m = snap.actionCount
        let pi = BestResponse.unchecked(qValues: q, stateCount: n, actionCount: m, temperature: temperature).probabilities
        let chain = population == .worstCase ? kernels : snap.kernels
        var update = [Double](repeating: 0, count: n)
        for s in 0..<n {
            for a in 0..<m {
                let w = mu[s] * pi[s * m + a]
                guard w != 0 else { continue }
                let row = chain[s * m + a]
                for (t, p) in zip(row.indices, row.probabilities) { update[t] += w * p }
            }
        }
        return Image(update: update, values: values)
    }

    /// Value iteration on `V(s) = τ log Σ_a exp(Q(s, a)/τ)`, `Q = r + γ K V`, from `warm`, until a
    /// sweep moves `V` by at most `1e-15 (1 + ‖V‖∞)` or stops shrinking the move (rounding).
    static func softValues(_ snap: GameSnapshot, kernels: [SparseDistribution], temperature tau: Double,
                           warm: [Double]) -> (values: [Double], q: [Double]) {
        let n = snap.stateCount, m = snap.actionCount, gamma = snap.discount
        var v = warm, q = snap.rewards
        var previous = Double.infinity
        for _ in 0..<PieceNewton.maxSweeps {
            for i in 0..<(n * m) {
                var e = 0.0
                for (t, p) in zip(kernels[i].indices, kernels[i].probabilities) { e += p * v[t] }
                q[i] = snap.rewards[i] + gamma * e
            }
            var move = 0.0, scale = 0.0
            q.withUnsafeBufferPointer { qb in
                for s in 0..<n {
                    let x = GameSnapshot.softMax(UnsafeBufferPointer(rebasing: qb[(s * m)..<(s * m + m)]), temperature: tau)
                    move = max(move, abs(x - v[s]))
                    scale = max(scale, abs(x))
                    v[s] = x
                }
            }
            if move <= 1e-15 * (1 + scale) || (move >= previous && move <= 1e-12 * (1 + scale)) { break }
            previous = move
        }
        return (v, q)
    }
}

extension KrylovSpace {
    /// One Newton–Krylov step for `F(μ) = G(μ) − μ` at `mu` with `f = F(μ)`: GMRES on
    /// `J D w = −F`, right-preconditioned by `D w = μ ⊙ (w − (μ·w) 1)` (so every perturbed mean
    /// field stays a distribution), each product one forward difference of `G` (`image`) with
    /// step `step` in L1; at most `limit` products, or until the relative residual is at most
    /// `tolerance`. Returns `δ = D w` (`nil` when GMRES breaks down at once or its solution is not
    /// finite) and the number of products.
    static func newtonStep(mu: [Double], f: [Double], step: Double, tolerance: Double, limit: Int,
                           image: (_ x: [Double]) throws(MeanFieldError) -> [Double]) throws(MeanFieldError)
        -> (delta: [Double]?, products: Int)
    {
        guard var space = KrylovSpace(f.map { -$0 }) else { return (nil, 0) }
        let target = tolerance * space.residual
        var products = 0
        while products < limit, space.residual > target {
            let v = space.basis[space.basis.count - 1]
            let d = SolverRun.scaledDirection(v, mu: mu)
            let c = innerProduct(mu, v)
            var l1 = 0.0, top = 0.0
            for s in d.indices { l1 += abs(d[s]) }
            for s in v.indices { top = max(top, abs(v[s] - c)) }
            guard l1 > 0 else { break }
            let h = min(step / l1, 0.5 / top)
            var x = mu
            for s in x.indices { x[s] += h * d[s] }
            let g = try image(x)
            products += 1
            var column = [Double](repeating: 0, count: mu.count)
            for s in column.indices { column[s] = ((g[s] - x[s]) - f[s]) / h }
            guard space.extend(column) else { break }
        }
        guard let w = space.solution() else { return (nil, products) }
        return (SolverRun.scaledDirection(w, mu: mu), products)
    }
}

extension PieceMap {
    /// How a piece's Newton–Krylov solve ended.
    struct Solution {
        let meanField: [Double]
        /// `‖Φ_piece(μ) − μ‖₁` at ``meanField``.
        let residual: Double
        let steps: Int
        let products: Int
    }

    /// Newton–Krylov on the piece's fixed point from `start` (``PieceNewton/maxSteps`` steps, a
    /// line search on the piece's own residual, iterates clipped and rescaled to the simplex);
    /// returns the best iterate, `nil` when the first evaluation fails.
    func solve(from start: [Double], warm: [Double]) throws(MeanFieldError) -> Solution {
        var x = start
        var img = try image(x, warm: warm)
        var f = SolverRun.difference(img.update, x)
        var r = SolverRun.norm1(f)
        var steps = 0, products = 0
        while steps < PieceNewton.maxSteps, r > PieceNewton.pieceTolerance {
            let base = img.values
            let (delta, used) = try KrylovSpace.newtonStep(
                mu: x, f: f, step: PieceNewton.differenceStep, tolerance: PieceNewton.krylovTolerance,
                limit: PieceNewton.maxKrylov) { (y: [Double]) throws(MeanFieldError) -> [Double] in
                try self.image(y, warm: base).update
            }
            products += used
            guard let delta else { break }
            var lambda = 1.0, accepted = false
            for _ in 0...NewtonPolish.maxHalvings {
                var y = x
                for s in y.indices { y[s] += lambda * delta[s] }
                Simplex.project(&y)
                let next = try image(y, warm: base)
                let fy = SolverRun.difference(next.update, y)
                let ry = SolverRun.norm1(fy)
                if ry < r {
                    (x, img, f, r, accepted) = (y, next, fy, ry, true)
                    break
                }
                lambda /= 2
            }
            guard accepted else { break }
            steps += 1
        }
        return Solution(meanField: x, residual: r, steps: steps, products: products)
    }
}

extension PieceNewton {
    /// The start's pieces: every row's structure at the start (``FrozenRow``), and the groups of
    /// near-switch rows (rows whose margin is at most ``switchMargin``; rows with the same margin
    /// form a group, like the rows into one crowded cell), the ``maxGroups`` nearest, each with
    /// the structures across its switch.
    struct Plan {
        let base: [FrozenRow]
        let groups: [[(row: Int, across: FrozenRow)]]
        let margins: [Double]

        init(snapshot snap: GameSnapshot, worstCase: KernelRows, values v: [Double]) {
            var base: [FrozenRow] = []
            var near: [(margin: Double, row: Int, across: FrozenRow)] = []
            for i in 0..<(snap.stateCount * snap.actionCount) {
                let frozen = FrozenRow(nominal: snap.kernels[i], worstCase: worstCase.row(i))
                base.append(frozen)
                if let (margin, across, _) = frozen.nearestSwitch(nominal: snap.kernels[i], radius: snap.radii[i], values: v),
                   margin <= PieceNewton.switchMargin {
                    near.append((margin, i, across))
                }
            }
            near.sort { $0.margin < $1.margin || ($0.margin == $1.margin && $0.row < $1.row) }
            var groups: [[(row: Int, across: FrozenRow)]] = [], margins: [Double] = []
            for entry in near {
                if let last = margins.last, last == entry.margin {
                    groups[groups.count - 1].append((entry.row, entry.across))
                } else if groups.count < PieceNewton.maxGroups {
                    groups.append([(entry.row, entry.across)])
                    margins.append(entry.margin)
                }
            }
            self.base = base
            self.groups = groups
            self.margins = margins
        }

        /// The piece with the groups of `mask` across their switches.
        func piece(_ mask: Int) -> [FrozenRow] {
            var rows = base
            for (g, group) in groups.enumerated() where mask & (1 << g) != 0 {
                for entry in group { rows[entry.row] = entry.across }
            }
            return rows
        }

        /// The masks in order of the number of groups flipped (the start's own piece first).
        var masks: [Int] {
            (0..<(1 << groups.count)).sorted { ($0.nonzeroBitCount, $0) < ($1.nonzeroBitCount, $1) }
        }
    }

    static func note(groups: Int, rows: Int, mask: Int, solution: PieceMap.Solution) -> String {
        "; the piece Newton stage (\(rows) rows near a switch of nature's worst case in \(groups) groups, "
            + "\(mask.nonzeroBitCount) groups across; Newton–Krylov on the piece: \(solution.steps) steps, "
            + "\(solution.products) products, piece residual \(solution.residual))"
    }
}

extension SolverRun {
    /// The piece Newton stage (``PieceNewton``) from `start`, the best pair of a Newton polish
    /// that stopped at the requested `τ > 0`: each piece of ``PieceNewton/Plan`` (every
    /// combination of the nearest switch groups, the start's own piece first) is solved by
    /// Newton–Krylov on its smooth map, and its solution evaluated from scratch (recorded as
    /// ``EquilibriumMethod/pieceNewton``) and returned when it meets the tolerance. `nil` when the
    /// stage does not apply, no row is near a switch, or no piece's solution is accepted (the
    /// solve then goes on from the polish's best pair).
    mutating func pieceNewtonStage(from start: PairEvaluation) throws(MeanFieldError) -> EquilibriumResult? {
        guard options.method == .auto, options.temperature == requestedTemperature,
              PieceNewton.applies(game: game, temperature: options.temperature)
        else { return nil }
        let snap = try game.snapshot(at: start.meanField)
        let plan = PieceNewton.Plan(snapshot: snap, worstCase: start.policyValues.kernelRows, values: start.policyValues.values)
        guard !plan.groups.isEmpty else { return nil }
        let previous = current
        let rows = plan.groups.reduce(0) { $0 + $1.count }
        for mask in plan.masks {
            guard trace.count + 1 < options.maxIterations else { break }
            let map = PieceMap(game: game, rows: plan.piece(mask), temperature: options.temperature, population: options.population)
            let solution = try map.solve(from: start.meanField, warm: start.optimal.values)
            let p = try evaluator.bestResponsePair(solution.meanField)
            if current != .pieceNewton { switchMethod(to: .pieceNewton) }
            record(p, change: Simplex.l1(solution.meanField, start.meanField))
            if isConverged(p) {
                let note = PieceNewton.note(groups: plan.groups.count, rows: rows, mask: mask, solution: solution)
                return try finish(p, converged: true, message: convergedMessage(p) + note)
            }
        }
        if current == .pieceNewton { switchMethod(to: previous) }
        return nil
    }
}
