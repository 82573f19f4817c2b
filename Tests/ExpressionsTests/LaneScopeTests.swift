@testable import Expressions
import PropertyBased
import Testing
import TestSupport

/// ``LaneScope`` (one instruction over many rows at once) against ``RowScope`` (one row at a
/// time), the path every row took before: each lane's value bit for bit, a lane marked failed
/// exactly where the row scope throws (an error or a non-finite value), bindings remembered per
/// lane, and programs the lanes do not run (jumps, reductions) refused as a whole.
@Suite("Lanes")
struct LaneScopeTests {
    /// The fixture's schema with two bindings that the fields below recall.
    static func schema() throws -> Schema {
        var schema = fixture.schema
        try schema.declareBinding("go", source: "0.9 * exp(-2 * mu[s] * x)")
        try schema.declareBinding("ix", source: "mod(floor(abs(x * 3)), 5)")
        return schema
    }

    /// Lane values of `s`, `x` and `y`: zeros of both signs, whole numbers, tiny and huge
    /// magnitudes, negative values (logarithms, square roots, indices out of range), ties.
    static func lanes(_ count: Int, seed: Double) -> [(s: Double, x: Double, y: Double)] {
        let special: [Double] = [0, -0.0, 1, -1.5, 2.75, 1e300, -1e-300, 3, 0.5, -2, 4, 1e-3, 7.25]
        return (0..<count).map { i in
            let x = special[(i * 7 + abs(Int(seed * 5))) % special.count] + (i % 3 == 0 ? seed : 0)
            let y = special[(i * 5 + 3) % special.count] - (i % 4 == 1 ? seed : 0)
            return (Double(i % 4), x, y)
        }
    }

    /// The row scope's results of `fields`, evaluated in order in one scope at the lane's values.
    static func rowResults(_ env: Environment, _ layout: RowScope.Layout, _ fields: [CompiledExpression],
                           lane: (s: Double, x: Double, y: Double), preload: [Int: Double] = [:]) -> [Result<Double, ExpressionError>] {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: layout.capacity) { storage in
            guard var scope = try? RowScope(environment: env, layout: layout, storage: storage, setting: fixture.s, to: lane.s,
                                            fixture.x, to: lane.x, fixture.y, to: lane.y, binding: fixture.mu, to: Fixture.defaultMu)
            else { return fields.map { _ in .failure(ExpressionError(.environmentMismatch)) } }
            for (slot, value) in preload {
                var (k, v, known) = (slot, value, true)
                scope.memo.preload(&k, width: 1, values: &v, known: &known)
            }
            return fields.map { e in Result { () throws(ExpressionError) in try scope.evaluate(e.unretained) } }
        }
    }

    /// Whether a program holds an instruction the lanes refuse.
    static func hasUnsupported(_ e: CompiledExpression) -> Bool {
        e.instructions.contains {
            switch $0 {
            case .jump, .jumpIfZero, .jumpIfNonZero, .reduce, .dot: return true
            default: return false
            }
        }
    }

    /// Evaluates `fields` in lanes and compares every lane with the row scope; returns how many
    /// fields the lanes ran.
    static func compare(_ fields: [CompiledExpression], sources: [String], env: Environment, lanes: [(s: Double, x: Double, y: Double)],
                        label: String) throws -> Int {
        let layout = RowScope.Layout(environment: env, expressions: fields)
        var scope = try LaneScope(environment: env, layout: layout, lanes: lanes.count, setting: fixture.s, fixture.x, fixture.y,
                                  binding: fixture.mu, to: Fixture.defaultMu)
        scope.start(count: lanes.count)
        for (i, lane) in lanes.enumerated() { (scope.x[i], scope.y[i], scope.z[i]) = lane }
        let expected = lanes.map { rowResults(env, layout, fields, lane: $0) }
        var ran = 0
        var out = [Double](repeating: 0, count: lanes.count)
        for (k, field) in fields.enumerated() {
            let served = out.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return false }
                return scope.evaluate(field.unretained, into: base)
            }
            guard served else {
                #expect(hasUnsupported(field), "\(label): lanes refused \(sources[k])")
                return ran  // the bindings' state is unspecified from here on
            }
            ran += 1
            for i in lanes.indices {
                // A lane that failed earlier (in a field whose binding this one recalls) is done.
                let failedBefore = expected[i][..<k].contains { if case .failure = $0 { true } else { false } }
                switch expected[i][k] {
                case let .success(v):
                    if failedBefore { continue }
                    let failed = scope.failed(i)
                    #expect(!failed, "\(label): lane \(i) failed in lanes, \(sources[k]) = \(v) in the row")
                    #expect(out[i].bitPattern == v.bitPattern, "\(label): lane \(i), \(sources[k]): \(out[i]) against \(v)")
                case .failure:
                    let failed = scope.failed(i)
                    #expect(failed, "\(label): lane \(i) did not fail in \(sources[k])")
                }
            }
        }
        return ran
    }

    @Test func randomExpressionsGiveTheRowScopesValuesAndFailures() async throws {
        let schema = try Self.schema()
        var ran = 0, refused = 0
        await propertyCheck(count: 300, input: PropertyTests.choices, Gen.double(in: -3...3)) { choices, seed in
            let tree = ReferenceTree.build(choices).description
            let sources = ["go", tree, "go * (\(tree))", "1 - go", "mu[ix] + y", "(\(tree)) / y", "sqrt(y) + log(x)",
                           "clamp(x, y, 1)", "mu[s] * states - go"]
            guard let fields = try? sources.map({ try CompiledExpression($0, schema: schema) }),
                  let env = try? BindingMemoTests.environment(schema, [:])
            else { return }  // a constant part that fails when folded (`log(0)`): no program to run
            let count = (try? Self.compare(fields, sources: sources, env: env, lanes: Self.lanes(41, seed: seed), label: tree)) ?? 0
            ran += count
            if count < fields.count { refused += 1 }
        }
        // Most instances run every field in lanes; trees with `if`, `and`, `or` are refused.
        #expect(ran >= 1_500, "only \(ran) fields ran in lanes")
        #expect(refused >= 10, "only \(refused) instances were refused")
    }

    /// Grid programs in lanes: coordinates of a lane scalar (`x`, `y` of `s`), `cell` (failing
    /// outside the grid), `inside`, a two-index array element with lane indices, `clamp` with lane
    /// bounds: every lane as the row scope, on a 5×3 grid with `s` past the cells and below 0.
    @Test func gridProgramsGiveTheRowScopesValuesAndFailures() throws {
        var schema = Schema()
        let s = try schema.declareScalar("s"), t = try schema.declareScalar("t"), e = try schema.declareScalar("e")
        let mu = try schema.declareArray("mu", shape: [15])
        try schema.declareGrid([5, 3])
        try schema.declareCoordinates(["x", "y"], of: s)
        try schema.declareConstant("m", array: ArrayValue(stacking: [ArrayValue([0, 1, 2]), ArrayValue([3, 4, 5])]))
        try schema.declareBinding("nx", source: "x + t - 1")
        let sources = ["x + 10 * y", "cell(nx, y)", "inside(nx, y) * 2 + e", "m[mod(y, 2)][mod(x, 3)] * e", "mu[cell(x, y)] + nx",
                       "clamp(e, t, x)", "nx * 0.5 - mu[0]"]
        let fields = try sources.map { try CompiledExpression($0, schema: schema) }
        var env = Environment(schema: schema)
        let values = (0..<15).map { 0.01 * Double($0) + 0.005 }
        try env.bind(mu, to: values)
        let layout = RowScope.Layout(environment: env, expressions: fields)
        var lanes: [(s: Double, t: Double, e: Double)] = []
        for i in 0..<23 {
            let (sValue, tValue) = (Double(i - 2), Double(i % 3))
            let eValue = Double(i % 5) - 1.5
            lanes.append((sValue, tValue, eValue))
        }
        var scope = try LaneScope(environment: env, layout: layout, lanes: 32, setting: s, t, e, binding: mu, to: values)
        scope.start(count: lanes.count)
        for (i, lane) in lanes.enumerated() { (scope.x[i], scope.y[i], scope.z[i]) = lane }
        var out = [Double](repeating: 0, count: 32)
        var failures = 0
        for (k, field) in fields.enumerated() {
            let served = out.withUnsafeMutableBufferPointer { scope.evaluate(field.unretained, into: $0.baseAddress!) }
            #expect(served, "\(sources[k])")
            for (i, lane) in lanes.enumerated() {
                let expected = withUnsafeTemporaryAllocation(of: Double.self, capacity: layout.capacity) { storage in
                    Result { () throws(ExpressionError) -> Double in
                        var row = try RowScope(environment: env, layout: layout, storage: storage, setting: s, to: lane.s, t, to: lane.t,
                                               e, to: lane.e, binding: mu, to: values)
                        for earlier in fields[..<k] { _ = try? row.evaluate(earlier.unretained) }
                        return try row.evaluate(field.unretained)
                    }
                }
                let failed = scope.failed(i)
                switch expected {
                case let .success(v):
                    #expect(!failed && out[i].bitPattern == v.bitPattern, "\(sources[k]) at lane \(i): \(out[i]) against \(v)")
                case .failure:
                    #expect(failed, "\(sources[k]) at lane \(i) did not fail")
                    failures += 1
                }
            }
            scope.start(count: lanes.count)  // a fresh chunk per field: failures do not carry over
            for (i, lane) in lanes.enumerated() { (scope.x[i], scope.y[i], scope.z[i]) = lane }
        }
        #expect(failures >= 5, "only \(failures) failing lanes")
    }

    /// Bindings preloaded per lane are recalled as a row scope recalls a preloaded memo; a binding
    /// known in some lanes only is refused; a scope serves fewer lanes than its capacity.
    @Test func preloadedBindingsAndPartialChunks() throws {
        let schema = try Self.schema()
        let env = try BindingMemoTests.environment(schema, [:])
        let fields = try ["go + 1", "go * x", "1 - go"].map { try CompiledExpression($0, schema: schema) }
        guard case let .binding(slot)? = schema.entries["go"] else {
            Issue.record("go is not a binding")
            return
        }
        let layout = RowScope.Layout(environment: env, expressions: fields)
        var scope = try LaneScope(environment: env, layout: layout, lanes: 16, setting: fixture.s, fixture.x, fixture.y,
                                  binding: fixture.mu, to: Fixture.defaultMu)
        let lanes = Self.lanes(11, seed: 0.5)
        let preloaded = (0..<11).map { 0.125 * Double($0) - 0.5 }
        scope.start(count: 11)
        for (i, lane) in lanes.enumerated() { (scope.x[i], scope.y[i], scope.z[i]) = lane }
        let loaded = scope.preload(slot: slot) { preloaded[$0] }
        #expect(loaded)
        var out = [Double](repeating: 0, count: 16)
        for (k, field) in fields.enumerated() {
            let served = out.withUnsafeMutableBufferPointer { scope.evaluate(field.unretained, into: $0.baseAddress!) }
            #expect(served)
            for i in 0..<11 {
                let expected = Self.rowResults(env, layout, fields, lane: lanes[i], preload: [slot: preloaded[i]])[k]
                #expect(try out[i].bitPattern == expected.get().bitPattern, "lane \(i), field \(k)")
                let failed = scope.failed(i)
                #expect(!failed)
            }
        }
        scope.start(count: 11)
        let partial = scope.preload(slot: slot) { $0 % 2 == 0 ? 1 : nil }
        #expect(!partial)
        let branching = try CompiledExpression("if(x > 0, go, 2)", schema: schema)
        scope.start(count: 3)
        let branched = out.withUnsafeMutableBufferPointer { scope.evaluate(branching.unretained, into: $0.baseAddress!) }
        #expect(!branched)
    }
}
