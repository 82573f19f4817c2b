import Expressions

/// A schema shaped like a small game: 4 states, 3 actions, some parameters.
///
/// Variables: scalars `s a t x y`, vector `mu` (4), matrix variable `w` (2×3).
/// Constants: `states = 4`, `actions = 3`, action names `left stay right`,
/// state names `A B C D`, `noise = 0.1`, vector `v = [1, 2, 3]`,
/// matrix `m = [[0, 1, 2], [3, 4, 5]]`, 3-d `cube` (2×2×2, elements 0…7),
/// and an empty vector `nothing`.
struct Fixture {
    var schema = Schema()
    let s: ScalarSlot, a: ScalarSlot, t: ScalarSlot, x: ScalarSlot, y: ScalarSlot
    let mu: ArraySlot, w: ArraySlot

    init() {
        do {
            s = try schema.declareScalar("s")
            a = try schema.declareScalar("a")
            t = try schema.declareScalar("t")
            x = try schema.declareScalar("x")
            y = try schema.declareScalar("y")
            mu = try schema.declareArray("mu", shape: [4])
            w = try schema.declareArray("w", shape: [2, 3])
            try schema.declareConstant("states", value: 4)
            try schema.declareConstant("actions", value: 3)
            for (i, name) in ["left", "stay", "right"].enumerated() { try schema.declareConstant(name, value: Double(i)) }
            for (i, name) in ["A", "B", "C", "D"].enumerated() { try schema.declareConstant(name, value: Double(i)) }
            try schema.declareConstant("noise", value: 0.1)
            try schema.declareConstant("v", array: ArrayValue([1, 2, 3]))
            try schema.declareConstant("m", array: ArrayValue(stacking: [ArrayValue([0, 1, 2]), ArrayValue([3, 4, 5])]))
            try schema.declareConstant("cube", array: ArrayValue(shape: [2, 2, 2], elements: (0..<8).map(Double.init)))
            try schema.declareConstant("nothing", array: ArrayValue([]))
        } catch {
            fatalError("fixture schema: \(error)")
        }
    }

    static let defaultMu: [Double] = [0.1, 0.2, 0.3, 0.4]
    static let defaultW: [Double] = [1, -2, 3, -4, 5, -6]

    /// An environment with the given scalars, `mu` and `w` bound.
    func environment(_ scalars: [String: Double] = [:], mu: [Double] = defaultMu,
                     w: [Double] = defaultW) throws(ExpressionError) -> Environment {
        var env = Environment(schema: schema)
        for (name, value) in scalars { try env.set(name, to: value) }
        try env.bind(self.mu, to: mu)
        try env.bind(self.w, to: w)
        return env
    }

    /// Compiles `source` against the fixture schema (or a view) and evaluates it.
    func value(_ source: String, _ scalars: [String: Double] = [:], mu: [Double] = defaultMu,
               schema view: Schema? = nil) throws(ExpressionError) -> Double {
        let expression = try CompiledExpression(source, schema: view ?? schema)
        return try expression.evaluate(in: environment(scalars, mu: mu))
    }

    /// The error that compiling or evaluating `source` throws, or `nil` if it succeeds.
    func failure(_ source: String, _ scalars: [String: Double] = [:], mu: [Double] = defaultMu,
                 schema view: Schema? = nil) -> ExpressionError? {
        do {
            _ = try value(source, scalars, mu: mu, schema: view)
            return nil
        } catch {
            return error
        }
    }
}

let fixture = Fixture()
