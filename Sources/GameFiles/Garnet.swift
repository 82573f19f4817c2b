import Ambiguity
import NumberText
import Randomness

/// Random "garnet" games (Archibald, McKinnon and Thomas 1995; Bhatnagar et al.
/// 2009) as game files, for tests and benchmarks.
///
/// For each `(s, a)`: `branching` distinct successors drawn uniformly, with
/// probabilities from sorted uniform cut points (a Dirichlet(1, …, 1) draw);
/// rewards `R[s][a]` uniform in `[0, 1]`; the reward of the game is
/// `R[s][a] − congestion · μ(s)`. The data come from Randomness' `GarnetGenerator`
/// (one SplitMix64 stream of `seed`), so a seed always gives the same file.
public struct GarnetSpecification: Sendable, Hashable {
    /// Number of states `n ≥ 1`.
    public var states: Int
    /// Number of actions `m ≥ 1`.
    public var actions: Int
    /// Successors per row, `1 ≤ branching ≤ n`.
    public var branching: Int
    /// The random seed.
    public var seed: UInt64
    /// `ambiguity.set`.
    public var set: AmbiguityKind = .tv
    /// `ambiguity.radius`.
    public var radius: Double = 0.1
    /// `solver.temperature`.
    public var temperature: Double = 0.2
    /// The crowd-aversion weight `c` in `R[s][a] − c·μ(s)`.
    public var congestion: Double = 0.5
    /// `discount`.
    public var discount: Double = 0.9
    /// `solver.tolerance`.
    public var tolerance: Double = 1e-9

    /// A specification with the defaults above.
    public init(states: Int, actions: Int, branching: Int, seed: UInt64) {
        self.states = states
        self.actions = actions
        self.branching = branching
        self.seed = seed
    }

    /// A setting of a specification that is out of range.
    public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The settings ``validate()`` checks (`rawValue`: the property's name).
        public enum Field: String, Sendable, Hashable, CaseIterable {
            case states, actions, branching, radius, temperature, congestion, discount, tolerance
        }
        /// The setting.
        public let field: Field
        /// What was found and what was expected.
        public let message: String
        /// `field: message`.
        public var description: String { "\(field.rawValue): \(message)" }
    }

    /// Checks the ranges.
    ///
    /// - Throws: ``ValidationError`` naming the setting.
    public func validate() throws(ValidationError) {
        func bad(_ field: ValidationError.Field, _ message: String) -> ValidationError {
            ValidationError(field: field, message: message)
        }
        guard (1...200_000).contains(states) else { throw bad(.states, "\(states), expected 1...200000") }
        guard (1...1_000).contains(actions) else { throw bad(.actions, "\(actions), expected 1...1000") }
        guard branching >= 1, branching <= states else { throw bad(.branching, "\(branching), expected 1...\(states) (at most the number of states)") }
        guard states * actions * branching <= 50_000_000 else { throw bad(.branching, "states·actions·branching = \(states * actions * branching), expected at most 50,000,000") }
        guard radius.isFinite, radius >= 0 else { throw bad(.radius, "\(radius), expected a number >= 0") }
        guard temperature.isFinite, temperature >= 0 else { throw bad(.temperature, "\(temperature), expected a number >= 0") }
        guard congestion.isFinite else { throw bad(.congestion, "\(congestion), expected a finite number") }
        guard discount.isFinite, discount >= 0, discount < 1 else { throw bad(.discount, "\(discount), expected 0 <= discount < 1") }
        guard tolerance.isFinite, tolerance > 0 else { throw bad(.tolerance, "\(tolerance), expected a number > 0") }
    }

    /// The rewards `R[s][a]` and the sparse transition entries `[s, a, t, p]`
    /// (Randomness' `GarnetGenerator`, the project's one garnet).
    public func generate() -> (rewards: [[Double]], entries: [(Int, Int, Int, Double)]) {
        var rewards = [[Double]](repeating: [Double](repeating: 0, count: actions), count: states)
        var entries: [(Int, Int, Int, Double)] = []
        entries.reserveCapacity(states * actions * branching)
        GarnetGenerator(states: states, actions: actions, branching: branching, seed: seed).forEachRow { s, a, r, successors, p in
            rewards[s][a] = r
            for (t, q) in zip(successors, p) { entries.append((s, a, t, q)) }
        }
        return (rewards, entries)
    }

    /// The game file as YAML (`json: false`) or JSON text.
    public func fileText(json: Bool) -> String {
        let (rewards, entries) = generate()
        let num = numberText
        let name = "garnet-\(states)x\(actions)-b\(branching)-seed\(seed)"
        let description = "A random garnet: \(states) states, \(actions) actions, \(branching) successors per row (seed \(seed)); reward R[s][a] - c * mu[s]."
        let rewardRows = rewards.map { "[" + $0.map(num).joined(separator: ", ") + "]" }
        let entryRows = entries.map { "[\($0.0), \($0.1), \($0.2), \(num($0.3))]" }
        var radiusLine = num(radius)
        if set == .none { radiusLine = "0" }
        let cost = set == .wasserstein ? "abs(s - t) / states" : nil
        if json {
            var out = "{\n"
            out += "  \"name\": \"\(name)\",\n  \"description\": \"\(description)\",\n"
            out += "  \"states\": \(states),\n  \"actions\": \(actions),\n  \"discount\": \(num(discount)),\n"
            out += "  \"parameters\": {\n    \"c\": \(num(congestion)),\n"
            out += "    \"R\": [\n      " + rewardRows.joined(separator: ",\n      ") + "\n    ],\n"
            out += "    \"E\": [\n      " + entryRows.joined(separator: ",\n      ") + "\n    ]\n  },\n"
            out += "  \"reward\": \"R[s][a] - c * mu[s]\",\n"
            out += "  \"transition\": {\"sparse\": \"E\"},\n"
            out += "  \"ambiguity\": {\"set\": \"\(set.rawValue)\", \"radius\": \(radiusLine)\(cost.map { ", \"cost\": \"\($0)\"" } ?? "")},\n"
            out += "  \"solver\": {\"temperature\": \(num(temperature)), \"tolerance\": \(num(tolerance))}\n"
            out += "}\n"
            return out
        }
        var out = "# \(description)\n# Written by `rmfg generate garnet`; the same seed always gives the same file.\n"
        out += "name: \(name)\n"
        out += "description: \"\(description)\"\n"
        out += "states: \(states)\nactions: \(actions)\ndiscount: \(num(discount))\n"
        out += "parameters:\n  c: \(num(congestion))\n"
        out += "  R:\n" + rewardRows.map { "    - \($0)\n" }.joined()
        out += "  E:\n" + entryRows.map { "    - \($0)\n" }.joined()
        out += "reward: \"R[s][a] - c * mu[s]\"\n"
        out += "transition: {sparse: E}\n"
        out += "ambiguity:\n  set: \(set.rawValue)\n  radius: \(radiusLine)\n"
        if let cost { out += "  cost: \"\(cost)\"\n" }
        out += "solver:\n  temperature: \(num(temperature))\n  tolerance: \(num(tolerance))\n"
        return out
    }
}
