import Foundation

/// All histograms of `agents` agents over `states` local states: the empirical
/// distributions F (as counts, F[j] agents in state j, Σ F = agents). With
/// `agents = k` this is the set of values of the subsampled mean field F_Δ.
package struct HistogramSpace: Sendable, Hashable {
    /// The number of agents counted.
    package let agents: Int
    /// The number of local states.
    package let states: Int
    /// The histograms, in lexicographic order of their counts (largest count of state 0 last).
    package let histograms: [[Int]]
    let lookup: [Int: Int]

    /// Enumerates the `C(agents + states − 1, states − 1)` histograms.
    package init(agents: Int, states: Int) {
        self.agents = agents
        self.states = states
        var all: [[Int]] = []
        var current = [Int](repeating: 0, count: states)
        func fill(_ j: Int, _ left: Int) {
            if j == states - 1 {
                current[j] = left
                all.append(current)
                return
            }
            for c in 0...left {
                current[j] = c
                fill(j + 1, left - c)
            }
        }
        if states > 0 { fill(0, agents) }
        histograms = all
        var map: [Int: Int] = [:]
        for (k, h) in all.enumerated() { map[Self.key(h, base: agents + 1)] = k }
        lookup = map
    }

    /// The number of histograms.
    package var count: Int { histograms.count }

    /// The index of histogram `h`, or `nil` if it is not one of this space.
    package func index(of h: [Int]) -> Int? {
        guard h.count == states, h.allSatisfy({ $0 >= 0 }), h.reduce(0, +) == agents else { return nil }
        return lookup[Self.key(h, base: agents + 1)]
    }

    /// The index of a histogram known to have `states` non-negative counts summing to
    /// `agents` (the learner's inner loop): ``index(of:)`` without the checks.
    func index(ofValid h: [Int]) -> Int? {
        lookup[Self.key(h, base: agents + 1)]
    }

    /// The histogram of a list of local states.
    package func index(ofStates list: [Int]) -> Int? {
        var h = [Int](repeating: 0, count: states)
        for s in list {
            guard s >= 0, s < states else { return nil }
            h[s] += 1
        }
        return index(of: h)
    }

    /// The empirical distribution `F / agents` of histogram `index`.
    package func distribution(_ index: Int) -> [Double] {
        histograms[index].map { Double($0) / Double(max(agents, 1)) }
    }

    static func key(_ h: [Int], base: Int) -> Int {
        var key = 0, scale = 1
        var i = 0
        while i < h.count {  // plain indices: the learner's inner loop calls this every step
            key += h[i] * scale
            scale *= base
            i += 1
        }
        return key
    }

    /// `C(agents + states − 1, states − 1)`, saturating at `Int.max / 2`.
    package static func count(agents: Int, states: Int) -> Int {
        guard agents >= 0, states >= 1 else { return agents == 0 ? 1 : 0 }
        var c = 1.0
        for i in 1..<max(states, 1) { c = c * (Double(agents) + Double(i)) / Double(i) }
        return c > Double(Int.max / 2) ? Int.max / 2 : Int(c.rounded())
    }

    /// The multinomial probability of histogram `index` when every agent is
    /// drawn independently from `p`.
    package func multinomial(_ index: Int, _ p: [Double]) -> Double {
        let h = histograms[index]
        var logc = logFactorial(agents)
        var prob = 1.0
        for j in 0..<states {
            logc -= logFactorial(h[j])
            if h[j] > 0 {
                if p[j] == 0 { return 0 }
                prob *= integerPower(p[j], h[j])
            }
        }
        return exp(logc) * prob
    }

    /// The multivariate hypergeometric law of the histogram of `k` agents
    /// drawn without replacement from histogram `index` (of this space):
    /// pairs (index in `sample`, probability).
    package func hypergeometric(_ index: Int, sample: HistogramSpace) -> [(Int, Double)] {
        let h = histograms[index]
        let total = logBinomial(agents, sample.agents)
        var out: [(Int, Double)] = []
        for (f, s) in sample.histograms.enumerated() {
            var ok = true
            var logp = -total
            for j in 0..<states {
                if s[j] > h[j] { ok = false; break }
                logp += logBinomial(h[j], s[j])
            }
            if ok { out.append((f, exp(logp))) }
        }
        return out
    }
}

func logFactorial(_ n: Int) -> Double {
    var s = 0.0
    if n > 1 { for i in 2...n { s += log(Double(i)) } }
    return s
}

func logBinomial(_ n: Int, _ k: Int) -> Double {
    logFactorial(n) - logFactorial(k) - logFactorial(n - k)
}

func integerPower(_ x: Double, _ k: Int) -> Double {
    var r = 1.0
    for _ in 0..<k { r *= x }
    return r
}
