import Ambiguity
import Foundation
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
        /// The settings ``GarnetSpecification/validate(inline:)`` checks (`rawValue`: the property's name).
        public enum Field: String, Sendable, Hashable, CaseIterable {
            case states, actions, branching, radius, temperature, congestion, discount, tolerance
            /// The form of the file: too many entries to write inline (`--arrays` of `rmfg generate garnet`).
            case arrays
        }
        /// The setting.
        public let field: Field
        /// What was found and what was expected.
        public let message: String
        /// `field: message`.
        public var description: String { "\(field.rawValue): \(message)" }
    }

    /// The most states a specification may have.
    public static let maximumStates = 1_000_000
    /// The most successor entries (`states·actions·branching`) a specification may have.
    public static let maximumEntries = 50_000_000
    /// The most successor entries written inline by ``fileText(json:)`` (about 300 MB of
    /// text); larger games are written with ``arrayFiles(baseName:json:)``.
    public static let maximumInlineEntries = 10_000_000

    /// Checks the ranges, and with `inline` that the game is small enough for ``fileText(json:)``.
    ///
    /// - Throws: ``ValidationError`` naming the setting.
    public func validate(inline: Bool = false) throws(ValidationError) {
        func bad(_ field: ValidationError.Field, _ message: String) -> ValidationError {
            ValidationError(field: field, message: message)
        }
        guard (1...Self.maximumStates).contains(states) else { throw bad(.states, "\(states), expected 1...\(Self.maximumStates)") }
        guard (1...1_000).contains(actions) else { throw bad(.actions, "\(actions), expected 1...1000") }
        guard branching >= 1, branching <= states else { throw bad(.branching, "\(branching), expected 1...\(states) (at most the number of states)") }
        guard states * actions * branching <= Self.maximumEntries else { throw bad(.branching, "states·actions·branching = \(states * actions * branching), expected at most 50,000,000") }
        if inline, states * actions * branching > Self.maximumInlineEntries {
            throw bad(.arrays, "states·actions·branching = \(states * actions * branching) is too many to write inline (at most 10,000,000); write .npy arrays beside the game file instead")
        }
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
        let rewardRows = rewards.map { "[" + $0.map(num).joined(separator: ", ") + "]" }
        let entryRows = entries.map { "[\($0.0), \($0.1), \($0.2), \(num($0.3))]" }
        if json {
            let parameters = "    \"R\": [\n      " + rewardRows.joined(separator: ",\n      ") + "\n    ],\n"
                + "    \"E\": [\n      " + entryRows.joined(separator: ",\n      ") + "\n    ]\n"
            return gameJSON(parameters: parameters, sparse: "\"E\"")
        }
        let parameters = "  R:\n" + rewardRows.map { "    - \($0)\n" }.joined() + "  E:\n" + entryRows.map { "    - \($0)\n" }.joined()
        return gameYAML(written: "`rmfg generate garnet`; the same seed always gives the same file", parameters: parameters, sparse: "E")
    }

    /// The game file and the `.npy` arrays it reads, for games of any size up to the limits
    /// of ``validate(inline:)``: `BASE.rewards.npy` (`R[s][a]`, float64 of shape `[n, m]`),
    /// `BASE.targets.npy` (the successors, int32 of shape `[n, m, k]`, increasing along each
    /// row) and `BASE.probabilities.npy` (their probabilities, float64 of shape `[n, m, k]`),
    /// read by the game file as `{file: …}` parameters next to it and used as
    /// `transition: {sparse: {targets: T, probabilities: P}}`. The same game as
    /// ``fileText(json:)``; memory: the arrays' bytes.
    ///
    /// - Parameters:
    ///   - baseName: the start of the arrays' file names (no folder).
    ///   - json: write the game file as JSON instead of YAML.
    public func arrayFiles(baseName: String, json: Bool) -> (text: String, arrays: [(name: String, bytes: Data)]) {
        let n = states, m = actions, k = branching
        let names = ["rewards", "targets", "probabilities"].map { "\(baseName).\($0).npy" }
        var rewards = Self.npyData(descr: "<f8", shape: [n, m], itemSize: 8)
        var targets = Self.npyData(descr: "<i4", shape: [n, m, k], itemSize: 4)
        var probabilities = Self.npyData(descr: "<f8", shape: [n, m, k], itemSize: 8)
        var (ri, ti, pi) = (rewards.count - 8 * n * m, targets.count - 4 * n * m * k, probabilities.count - 8 * n * m * k)
        rewards.withUnsafeMutableBytes { rw in
            targets.withUnsafeMutableBytes { tw in
                probabilities.withUnsafeMutableBytes { pw in
                    GarnetGenerator(states: n, actions: m, branching: k, seed: seed).forEachRow { _, _, r, successors, p in
                        rw.storeBytes(of: r.bitPattern.littleEndian, toByteOffset: ri, as: UInt64.self)
                        ri += 8
                        for (t, q) in zip(successors, p) {
                            tw.storeBytes(of: Int32(t).littleEndian, toByteOffset: ti, as: Int32.self)
                            pw.storeBytes(of: q.bitPattern.littleEndian, toByteOffset: pi, as: UInt64.self)
                            ti += 4
                            pi += 8
                        }
                    }
                }
            }
        }
        let text = json ? arrayGameJSON(names) : arrayGameYAML(names)
        return (text, [(names[0], rewards), (names[1], targets), (names[2], probabilities)])
    }

    /// A `.npy` file's bytes: the header, then room for the data (zeros).
    private static func npyData(descr: String, shape: [Int], itemSize: Int) -> Data {
        let header = NumericArrayFile.npyHeader(descr: descr, shape: shape)
        var data = Data(count: header.count + itemSize * shape.reduce(1, *))
        data.replaceSubrange(0..<header.count, with: header)
        return data
    }

    private var fileName: String { "garnet-\(states)x\(actions)-b\(branching)-seed\(seed)" }
    private var fileDescription: String {
        "A random garnet: \(states) states, \(actions) actions, \(branching) successors per row (seed \(seed)); reward R[s][a] - c * mu[s]."
    }

    /// The `ambiguity` and `solver` values: the radius text and the ground cost, if any.
    private var ambiguityText: (radius: String, cost: String?) {
        (set == .none ? "0" : numberText(radius), set == .wasserstein ? "abs(s - t) / states" : nil)
    }

    private func arrayGameYAML(_ files: [String]) -> String {
        let parameters = "  R: {file: \(Self.quoted(files[0]))}\n  T: {file: \(Self.quoted(files[1]))}\n  P: {file: \(Self.quoted(files[2]))}\n"
        return gameYAML(
            written: "`rmfg generate garnet` with the three .npy files beside it; the same seed always gives the same files",
            parameters: parameters, sparse: "{targets: T, probabilities: P}")
    }

    private func arrayGameJSON(_ files: [String]) -> String {
        let parameters = "    \"R\": {\"file\": \(Self.quoted(files[0]))},\n    \"T\": {\"file\": \(Self.quoted(files[1]))},\n"
            + "    \"P\": {\"file\": \(Self.quoted(files[2]))}\n"
        return gameJSON(parameters: parameters, sparse: "{\"targets\": \"T\", \"probabilities\": \"P\"}")
    }

    /// The YAML game file: a comment saying it was written by `written`, the game with the
    /// parameter lines `parameters` after `c`, and `transition: {sparse: SPARSE}`.
    private func gameYAML(written: String, parameters: String, sparse: String) -> String {
        let num = numberText
        let (radiusText, cost) = ambiguityText
        var out = "# \(fileDescription)\n# Written by \(written).\n"
        out += "name: \(fileName)\n"
        out += "description: \"\(fileDescription)\"\n"
        out += "states: \(states)\nactions: \(actions)\ndiscount: \(num(discount))\n"
        out += "parameters:\n  c: \(num(congestion))\n" + parameters
        out += "reward: \"R[s][a] - c * mu[s]\"\n"
        out += "transition: {sparse: \(sparse)}\n"
        out += "ambiguity:\n  set: \(set.rawValue)\n  radius: \(radiusText)\n"
        if let cost { out += "  cost: \"\(cost)\"\n" }
        out += "solver:\n  temperature: \(num(temperature))\n  tolerance: \(num(tolerance))\n"
        return out
    }

    /// The JSON game file: the game with the parameter members `parameters` after `c`, and
    /// `"transition": {"sparse": SPARSE}`.
    private func gameJSON(parameters: String, sparse: String) -> String {
        let num = numberText
        let (radiusText, cost) = ambiguityText
        var out = "{\n"
        out += "  \"name\": \"\(fileName)\",\n  \"description\": \"\(fileDescription)\",\n"
        out += "  \"states\": \(states),\n  \"actions\": \(actions),\n  \"discount\": \(num(discount)),\n"
        out += "  \"parameters\": {\n    \"c\": \(num(congestion)),\n" + parameters + "  },\n"
        out += "  \"reward\": \"R[s][a] - c * mu[s]\",\n"
        out += "  \"transition\": {\"sparse\": \(sparse)},\n"
        out += "  \"ambiguity\": {\"set\": \"\(set.rawValue)\", \"radius\": \(radiusText)\(cost.map { ", \"cost\": \"\($0)\"" } ?? "")},\n"
        out += "  \"solver\": {\"temperature\": \(num(temperature)), \"tolerance\": \(num(tolerance))}\n"
        out += "}\n"
        return out
    }

    /// `text` as a double-quoted JSON string (also a YAML double-quoted scalar).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
