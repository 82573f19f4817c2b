import Foundation

/// One instance of `scripts/exact_worst_case.py`: `σ = min_{q ∈ U} q·V` in rational
/// arithmetic over the set rmfg defines for the given doubles (`Σ q = Σ p`, the ball,
/// linear constraints), each double passed by its bit pattern so the script sees it exactly.
public struct ExactReferenceInstance: Sendable {
    /// `p`.
    public var nominal: [Double]
    /// `V`.
    public var values: [Double]
    /// `tv`, `l1`, `linf` or `none`.
    public var kind: String
    /// `ρ`.
    public var radius: Double
    /// `l1` weights (default all 1).
    public var weights: [Double]?
    /// `simplex` or `nominal`.
    public var support: String
    /// `(c, relation, b)` with relation `<=`, `=` or `>=`.
    public var constraints: [(c: [Double], relation: String, b: Double)]

    /// An instance; defaults: no weights, support `simplex`, no constraints.
    public init(nominal: [Double], values: [Double], kind: String, radius: Double, weights: [Double]? = nil,
                support: String = "simplex", constraints: [(c: [Double], relation: String, b: Double)] = []) {
        (self.nominal, self.values, self.kind, self.radius) = (nominal, values, kind, radius)
        (self.weights, self.support, self.constraints) = (weights, support, constraints)
    }

    var json: [String: Any] {
        func bits(_ x: Double) -> String { String(x.bitPattern) }
        var object: [String: Any] = ["nominal": nominal.map(bits), "values": values.map(bits), "kind": kind,
                                     "radius": bits(radius), "support": support,
                                     "constraints": constraints.map { ["c": $0.c.map(bits), "rel": $0.relation, "b": bits($0.b)] }]
        if let weights { object["weights"] = weights.map(bits) }
        return object
    }
}

/// The exact `σ` of each instance (`σ` as `numerator/denominator` and rounded once toward
/// zero to a double) from `scripts/exact_worst_case.py` (a two-phase simplex over Python's
/// `fractions.Fraction`); `nil` when no `python3` is found.
public func exactReference(_ instances: [ExactReferenceInstance]) throws -> [(value: Double, fraction: String)]? {
    guard let python = pythonWithNumPy() ?? ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: {
        FileManager.default.isExecutableFile(atPath: $0)
    }) else { return nil }
    let input = try JSONSerialization.data(withJSONObject: instances.map(\.json))
    let (output, status) = try runPython(python, script: repositoryScript("exact_worst_case.py"), input: input)
    guard status == 0, let list = try JSONSerialization.jsonObject(with: output) as? [[String: String]], list.count == instances.count
    else { throw ExactReferenceError.malformedOutput(String(decoding: output, as: UTF8.self)) }
    return try list.map { entry in
        guard let text = entry["bits"], let bits = UInt64(text), let n = entry["numerator"], let d = entry["denominator"] else {
            throw ExactReferenceError.malformedOutput("\(entry)")
        }
        return (Double(bitPattern: bits), "\(n)/\(d)")
    }
}

/// `scripts/exact_worst_case.py` printed something other than one result per instance.
public enum ExactReferenceError: Error { case malformedOutput(String) }
