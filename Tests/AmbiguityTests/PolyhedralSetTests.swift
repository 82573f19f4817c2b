import Ambiguity
import Foundation
import LinearProgramming
import Testing
import TestSupport

/// Moment and polyhedral sets (no closed form): against scipy's HiGHS, against the
/// sets they reduce to, and on bad input.
@Suite struct PolyhedralSetTests {
    /// A random nominal with zeros, and values with ties or extreme magnitudes.
    static func instance(_ n: Int, trial: Int, rng: inout SplitMix64) -> (p: [Double], v: [Double]) {
        var p = (0..<n).map { _ in Double.random(in: 0..<1, using: &rng) }
        if trial % 3 == 0 { p[trial % n] = 0 }
        let sum = p.reduce(0, +)
        p = p.map { $0 / sum }
        var v = (0..<n).map { _ in Double.random(in: -5..<5, using: &rng) }
        if trial % 4 == 1 { v = v.map { $0.rounded() } }
        if trial % 7 == 2 { v = v.map { $0 * 1e150 } }
        return (p, v)
    }

    /// Random constraints that hold at `p` (slack 0 makes them active at `p`).
    static func constraints(_ p: [Double], count: Int, rng: inout SplitMix64) -> [LinearConstraint] {
        (0..<count).map { k in
            let c = p.indices.map { _ in Double.random(in: -2..<2, using: &rng) }
            let at = zip(c, p).map(*).reduce(0, +)
            let slack = k % 3 == 0 ? 0 : Double.random(in: 0..<0.3, using: &rng)
            switch k % 3 {
            case 0: return LinearConstraint(coefficients: c, relation: .equal, bound: at)
            case 1: return LinearConstraint(coefficients: c, relation: .lessEqual, bound: at + slack)
            default: return LinearConstraint(coefficients: c, relation: .greaterEqual, bound: at - slack)
            }
        }
    }

    /// Runs scripts/highs_worst_case.py on `instances` (JSON objects) and returns its σ.
    static func highs(_ python: String, _ instances: [[String: Any]]) throws -> [Double?] {
        let input = try JSONSerialization.data(withJSONObject: instances)
        let (data, _) = try runPython(python, script: repositoryScript("highs_worst_case.py"), input: input)
        let list = try #require(try JSONSerialization.jsonObject(with: data) as? [Any])
        return list.map { $0 as? Double }
    }

    /// σ of random moment and polyhedral sets (with and without a tv, l1 or linf ball)
    /// equals scipy's HiGHS (an independent LP solver) to 1e-9·(1 + max|V|), and the LP
    /// certificate closes: dual ≤ σ, gap within tolerance, q passes the set's check.
    @Test func agreesWithHiGHS() throws {
        guard let python = pythonWithNumPy(importing: "scipy.optimize") else { return }
        var rng = SplitMix64(seed: 4242)
        var instances: [[String: Any]] = []
        var ours: [Double] = []
        for trial in 0..<60 {
            let n = 2 + trial % 9
            let (p, v) = Self.instance(n, trial: trial, rng: &rng)
            let support: SupportRestriction = trial % 5 == 3 ? .nominal : .simplex
            let set: PolyhedralSet
            var ball: [String: Any]? = nil
            if trial % 2 == 0 {
                let features = (0..<(1 + trial % 3)).map { k in (0..<n).map { t in pow(Double(t) / Double(n), Double(k + 1)) } }
                let radii = features.indices.map { _ in Double.random(in: 0..<0.2, using: &rng) }
                set = try PolyhedralSet.moment(features: features, radii: radii, nominal: p, support: support)
            } else {
                let kinds: [AmbiguityKind?] = [nil, .tv, .l1, .linf]
                let kind = kinds[(trial / 2) % 4]
                let radius = Double.random(in: 0..<0.3, using: &rng)
                let cons = Self.constraints(p, count: 1 + trial % 4, rng: &rng)
                set = try PolyhedralSet(constraints: cons, within: try kind.map { try AmbiguitySet(kind: $0, support: support) },
                                        radius: radius, support: support)
                if let kind { ball = ["kind": kind.rawValue, "radius": radius] }
            }
            let result = try set.worstCaseLP(nominal: p, values: v)
            let check = set.check(result, nominal: p, values: v)
            #expect(check.passed, "trial \(trial): \(check.failures)")
            #expect(result.certificate.dual <= result.value + check.tolerance)
            ours.append(result.value)
            var inst: [String: Any] = [
                "nominal": p, "values": v, "support": support.rawValue,
                "constraints": set.constraints.map { ["c": $0.coefficients, "rel": $0.relation.rawValue, "b": $0.bound] as [String: Any] },
            ]
            inst["ball"] = ball ?? NSNull()
            instances.append(inst)
        }
        let reference = try Self.highs(python, instances)
        #expect(reference.count == ours.count)
        for (k, (a, b)) in zip(ours, reference).enumerated() {
            let scale = (instances[k]["values"] as? [Double] ?? []).map(abs).max() ?? 0
            let b = try #require(b, "HiGHS failed on instance \(k)")
            #expect(abs(a - b) <= 1e-9 * (1 + scale), "instance \(k): \(a) vs HiGHS \(b)")
        }
    }

    /// The L∞ box written as 2n linear constraints equals the `linf` set's σ (closed form).
    @Test func boxAsPolyhedralEqualsLInfinity() throws {
        var rng = SplitMix64(seed: 77)
        for trial in 0..<40 {
            let n = 2 + trial % 7
            let (p, v) = Self.instance(n, trial: trial, rng: &rng)
            let radius = [0, 0.02, 0.1, 0.4, 3][trial % 5]
            var cons: [LinearConstraint] = []
            for t in 0..<n {
                let e = (0..<n).map { $0 == t ? 1.0 : 0 }
                cons.append(LinearConstraint(coefficients: e, relation: .lessEqual, bound: p[t] + radius))
                cons.append(LinearConstraint(coefficients: e, relation: .greaterEqual, bound: p[t] - radius))
            }
            let box = try PolyhedralSet(constraints: cons).worstCaseLP(nominal: p, values: v)
            let linf = try AmbiguitySet(kind: .linf).worstCase(nominal: p, values: v, radius: radius)
            let scale = v.map(abs).max() ?? 0
            #expect(abs(box.value - linf.value) <= 1e-12 * (1 + scale), "trial \(trial): \(box.value) vs \(linf.value)")
        }
    }

    /// A moment set with a huge radius is the whole simplex (σ = min V, or min over
    /// supp p with `support: nominal`); radius 0 pins the moments, so σ = p·V when V is
    /// an affine function of the features, and indicator features of every state pin q = p.
    @Test func momentLimits() throws {
        var rng = SplitMix64(seed: 91)
        for trial in 0..<30 {
            let n = 2 + trial % 8
            let (p, v) = Self.instance(n, trial: trial, rng: &rng)
            let scale = v.map(abs).max() ?? 0
            let features = [(0..<n).map(Double.init), (0..<n).map { Double($0 * $0) }]
            let huge = try PolyhedralSet.moment(features: features, radii: [1e6, 1e6], nominal: p).worstCaseLP(nominal: p, values: v)
            #expect(abs(huge.value - (v.min() ?? 0)) <= 1e-12 * (1 + scale))
            let onSupport = try PolyhedralSet.moment(features: features, radii: [1e6, 1e6], nominal: p, support: .nominal)
                .worstCaseLP(nominal: p, values: v)
            let supportMin = p.indices.filter { p[$0] > 0 }.map { v[$0] }.min() ?? 0
            #expect(abs(onSupport.value - supportMin) <= 1e-12 * (1 + scale))
            var affine = [Double](repeating: 0, count: n)
            for t in 0..<n {
                let x = Double(t)
                affine[t] = 2.5 - 0.75 * x + 0.125 * x * x
            }
            let pinnedSet = try PolyhedralSet.moment(features: features, radii: [0, 0], nominal: p)
            let pinned = try pinnedSet.worstCaseLP(nominal: p, values: affine)
            let pAffine: Double = zip(p, affine).map { $0 * $1 }.reduce(0, +)
            #expect(abs(pinned.value - pAffine) <= 1e-12 * 10)
            var indicators: [[Double]] = []
            for k in 0..<n { indicators.append((0..<n).map { t -> Double in t == k ? 1 : 0 }) }
            let fixedSet = try PolyhedralSet.moment(features: indicators, radii: [Double](repeating: 0, count: n), nominal: p)
            let fixed = try fixedSet.worstCaseLP(nominal: p, values: v)
            let pv: Double = zip(p, v).map { $0 * $1 }.reduce(0, +)
            #expect(abs(fixed.value - pv) <= 1e-12 * (1 + scale))
        }
    }

    /// Exact rational arithmetic (glp_exact) confirms the floating-point σ within 1e-9·(1 + max|V|).
    @Test func exactAgreesWithFloatingPoint() throws {
        var rng = SplitMix64(seed: 5)
        for trial in 0..<10 {
            let (p, v) = Self.instance(5, trial: trial, rng: &rng)
            let set = try PolyhedralSet.moment(features: [(0..<5).map(Double.init)], radii: [0.3], nominal: p)
            let float = try set.worstCaseLP(nominal: p, values: v)
            let exact = try set.worstCaseLP(nominal: p, values: v, options: LPOptions(exact: true))
            #expect(exact.solution.exact)
            // GLPK's floating simplex stops within its tolerances; the acceptance tolerance.
            #expect(abs(float.value - exact.value) <= 1e-9 * (1 + (v.map(abs).max() ?? 0)))
        }
    }

    /// Bad input never reaches GLPK: p outside the set names the constraint; NaN and
    /// infinite numbers, wrong sizes and negative radii name their field.
    @Test func badInputIsRejectedWithTheField() throws {
        let p = [0.2, 0.3, 0.5], v = [1.0, 2, 3]
        let outside = try PolyhedralSet(constraints: [LinearConstraint(name: "mean", coefficients: [0, 1, 2], relation: .lessEqual, bound: 1)])
        #expect(throws: AmbiguityError.invalidArgument(field: .nominal, message: "p is outside the set: constraint mean gives 1.3 <= 1.0 false (the nominal must lie in its ambiguity set)")) {
            try outside.worstCaseLP(nominal: p, values: v)
        }
        #expect(throws: AmbiguityError.self) { try PolyhedralSet(constraints: [LinearConstraint(coefficients: [0, .nan, 1], relation: .equal, bound: 1)]) }
        #expect(throws: AmbiguityError.self) { try PolyhedralSet(constraints: [LinearConstraint(coefficients: [0, 1, 1], relation: .equal, bound: .infinity)]) }
        #expect(throws: AmbiguityError.self) { try PolyhedralSet.moment(features: [[0, 1]], radii: [0.1], nominal: p) }
        #expect(throws: AmbiguityError.self) { try PolyhedralSet.moment(features: [[0, 1, 2]], radii: [-0.1], nominal: p) }
        #expect(throws: AmbiguityError.self) { try PolyhedralSet.moment(features: [[0, 1, 2]], radii: [0.1, 0.2], nominal: p) }
        let ok = try PolyhedralSet.moment(features: [[0, 1, 2]], radii: [0.1], nominal: p)
        #expect(throws: AmbiguityError.self) { try ok.worstCaseLP(nominal: p, values: [1, .nan, 3]) }
        #expect(throws: AmbiguityError.self) { try ok.worstCaseLP(nominal: [0.2, 0.3, 0.6], values: v) }
        #expect(throws: AmbiguityError.self) { try PolyhedralSet(constraints: [], within: .nominalOnly, radius: 0.1) }
    }
}
