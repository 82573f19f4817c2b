@testable import Expressions
import PropertyBased
import Testing
import TestSupport

/// `let` bindings evaluated once per evaluation (or per row, with a shared ``BindingMemo``)
/// instead of once per use: the same values, bit for bit, and the same errors as the
/// bindings written out, and the same values as an independent reference.
@Suite("let bindings remembered")
struct BindingMemoTests {
    /// `p = A`, `q = (B) - p` (nested), `r = if(p > q, x, q) * mu[1]` (reads `mu`, and is used
    /// only in one branch of the field).
    static func bindingSchema(_ a: String, _ b: String) throws(ExpressionError) -> Schema {
        var schema = fixture.schema
        try schema.declareBinding("p", source: a)
        try schema.declareBinding("q", source: "(\(b)) - p")
        try schema.declareBinding("r", source: "if(p > q, x, q) * mu[1]")
        return schema
    }

    static let field = "q * p + if(p > 0, q, r)"

    /// An environment of `schema` (the fixture's with bindings: its memo holds them) with the
    /// fixture's `mu` and `w` and the given scalars.
    static func environment(_ schema: Schema, _ scalars: [String: Double], mu: [Double] = Fixture.defaultMu) throws(ExpressionError) -> Environment {
        var env = Environment(schema: schema)
        for (name, value) in scalars { try env.set(name, to: value) }
        try env.bind(fixture.mu, to: mu)
        try env.bind(fixture.w, to: Fixture.defaultW)
        return env
    }

    /// ``field`` with every binding written out by hand.
    static func writtenOut(_ a: String, _ b: String) -> String {
        let p = "(\(a))", q = "((\(b)) - \(p))"
        let r = "(if(\(p) > \(q), x, \(q)) * mu[1])"
        return "\(q) * \(p) + if(\(p) > 0, \(q), \(r))"
    }

    /// ``field`` computed in plain Swift from the reference trees of `A` and `B`.
    static func reference(_ a: ReferenceTree, _ b: ReferenceTree, x: Double, y: Double, mu: [Double]) -> Double? {
        guard let p = try? a.evaluate(x: x, y: y, mu: mu), let bValue = try? b.evaluate(x: x, y: y, mu: mu) else { return nil }
        let q = bValue - p
        let value = p > 0 ? q * p + q : q * p + (p > q ? x : q) * mu[1]
        return value.isFinite ? value : nil
    }

    @Test func rememberedBindingsEqualTheReferenceAndTheWrittenOutExpression() async {
        var compared = 0
        await propertyCheck(count: 400, input: PropertyTests.choices, PropertyTests.choices, Gen.double(in: -3...3),
                            Gen.double(in: -3...3)) { first, second, x, y in
            let (treeA, treeB) = (ReferenceTree.build(first), ReferenceTree.build(second))
            let (a, b) = (treeA.description, treeB.description)
            let mu = Fixture.defaultMu
            guard let schema = try? Self.bindingSchema(a, b), let env = try? Self.environment(schema, ["x": x, "y": y], mu: mu) else {
                return  // a binding without variables is folded at declaration and may fail there
            }
            let remembered = Result { () throws(ExpressionError) in try CompiledExpression(Self.field, schema: schema).evaluate(in: env) }
            let inline = Result { () throws(ExpressionError) in
                try CompiledExpression(Self.writtenOut(a, b), schema: fixture.schema).evaluate(in: env)
            }
            let expected = Self.reference(treeA, treeB, x: x, y: y, mu: mu)
            switch (remembered, inline, expected) {
            case let (.success(l), .success(r), e?):
                #expect(l.bitPattern == r.bitPattern, "\(a); \(b): \(l) vs \(r)")
                #expect(isApproximatelyEqual(l, e, absolute: 1e-300, relative: 1e-12), "\(a); \(b): \(l) vs reference \(e)")
                compared += 1
            case let (.failure(l), .failure(r), nil):
                // The kinds agree; the excerpts may not (a site spanning a binding's name is printed
                // with the name in one and with the written-out text in the other).
                #expect(l.kind == r.kind, "\(a); \(b): \(l) vs \(r)")
            default:
                Issue.record("\(a); \(b) at x=\(x), y=\(y): let \(remembered), inline \(inline), reference \(String(describing: expected))")
            }
        }
        #expect(compared > 100)
    }

    /// Evaluations sharing one memo (a row's expressions) give what each gives alone.
    @Test func aSharedMemoGivesEachEvaluationsOwnValue() async {
        var compared = 0
        await propertyCheck(count: 300, input: PropertyTests.choices, PropertyTests.choices, Gen.double(in: -3...3)) {
            first, second, x in
            let (a, b) = (ReferenceTree.build(first).description, ReferenceTree.build(second).description)
            guard let schema = try? Self.bindingSchema(a, b), let env = try? Self.environment(schema, ["x": x, "y": 0.5]),
                  let e1 = try? CompiledExpression("p + if(x > 0, r, 1)", schema: schema),
                  let e2 = try? CompiledExpression(Self.field, schema: schema) else { return }
            let alone = [e1, e2].map { e in Result { () throws(ExpressionError) in try e.evaluate(in: env) } }
            let shared = env.withBindingMemo { memo in
                [e1, e2].map { e in
                    Result { () throws(ExpressionError) in
                        try e.evaluate(in: env, setting: fixture.s, to: 0, fixture.a, to: 0, binding: fixture.mu,
                                       to: Fixture.defaultMu, memo: memo)
                    }
                }
            }
            // The same through a row scope (one setup, one memo for both), reading each expression
            // as itself and through a handle that retains nothing (``UnretainedExpression``, what
            // the kernel rows of a `{successors}` transition evaluate), each way in a scope of its own.
            let layout = RowScope.Layout(environment: env, expressions: [e1, e2])
            func inScope(_ run: (inout RowScope, CompiledExpression) throws(ExpressionError) -> Double) -> [Result<Double, ExpressionError>] {
                withUnsafeTemporaryAllocation(of: Double.self, capacity: layout.capacity) { storage in
                    var scope = try? RowScope(environment: env, layout: layout, storage: storage, setting: fixture.s, to: 0,
                                              fixture.a, to: 0, nil, to: 0, binding: fixture.mu, to: Fixture.defaultMu)
                    return [e1, e2].map { e in
                        Result { () throws(ExpressionError) in
                            guard var row = scope else { throw ExpressionError(.environmentMismatch) }
                            defer { scope = row }
                            return try run(&row, e)
                        }
                    }
                }
            }
            let scoped = inScope { (scope, e) throws(ExpressionError) in try scope.evaluate(e) }
            let handles = inScope { (scope, e) throws(ExpressionError) in try scope.evaluate(e.unretained) }
            for (l, r) in zip(alone + alone + alone, shared + scoped + handles) {
                switch (l, r) {
                case let (.success(u), .success(v)):
                    #expect(u.bitPattern == v.bitPattern, "\(a); \(b)")
                    compared += 1
                case let (.failure(u), .failure(v)):
                    #expect(u.description == v.description, "\(a); \(b)")
                default:
                    Issue.record("\(a); \(b) at x=\(x): alone \(l), shared \(r)")
                }
            }
        }
        #expect(compared > 100)
    }

    /// A remembered binding is read, not evaluated again: a value planted in the memo is used.
    @Test func aRememberedValueIsReadNotRecomputed() throws {
        var schema = fixture.schema
        try schema.declareBinding("crowd", source: "mu[s] * states")
        let expression = try CompiledExpression("crowd + crowd", schema: schema)
        let env = try Self.environment(schema, ["s": 2])
        #expect(try expression.evaluate(in: env) == 2 * (0.3 * 4))
        let planted = try env.withBindingMemo { memo throws(ExpressionError) -> Double in
            guard let storage = memo.storage else { throw ExpressionError(.environmentMismatch) }
            storage[0] = 10
            storage[memo.count] = 1
            return try expression.evaluate(in: env, setting: fixture.s, to: 2, fixture.a, to: 0, binding: fixture.mu,
                                           to: Fixture.defaultMu, memo: memo)
        }
        #expect(planted == 20)
        // The program evaluates `crowd` once: a recall, its code, a remember, then a recall that
        // skips the code at the second use.
        let recalls = expression.instructions.filter { if case .recall = $0 { return true }; return false }
        #expect(recalls.count == 2)
    }

    /// A binding that reads `t`, directly, through another binding or through a coordinate `tx`,
    /// is listed by `bindingSlots(dependingOn:)`; forgetting it gives the value at the new `t`.
    @Test func bindingsThatReadAVariableAreForgottenWhenItChanges() throws {
        var schema = Schema()
        let s = try schema.declareScalar("s"), t = try schema.declareScalar("t")
        let mu = try schema.declareArray("mu", shape: [6])
        try schema.declareGrid([3, 2])
        try schema.declareCoordinates(["tx", "ty"], of: t)
        try schema.declareBinding("base", source: "mu[s] * 10")        // 0: s, mu
        try schema.declareBinding("step", source: "t + base")          // 1: t
        try schema.declareBinding("twice", source: "2 * step")         // 2: t, through step
        try schema.declareBinding("column", source: "tx * base")       // 3: t, through tx
        #expect(schema.bindingSlots(dependingOn: t) == [1, 2, 3])
        #expect(schema.bindingSlots(dependingOn: s) == [0, 1, 2, 3])
        let expression = try CompiledExpression("twice + column + base", schema: schema)
        let values = [0.1, 0.2, 0.3, 0.1, 0.2, 0.1]
        var env = Environment(schema: schema)
        try env.bind(mu, to: values)
        let row = try env.withBindingMemo { memo throws(ExpressionError) -> [Double] in
            try (0..<6).map { tv throws(ExpressionError) -> Double in
                memo.forget(schema.bindingSlots(dependingOn: t))
                return try expression.evaluate(in: env, setting: s, to: 1, t, to: Double(tv), binding: mu, to: values, memo: memo)
            }
        }
        let base = 0.2 * 10
        #expect(row == (0..<6).map { tv in 2 * (Double(tv) + base) + Double(tv % 3) * base + base })
    }

    /// Errors are those of the bindings written out: a binding that would fail is not evaluated
    /// where no branch uses it; a failing binding is named; a binding that became infinite
    /// in an earlier evaluation of the row is located where it became infinite.
    @Test func errorsAreThoseOfTheWrittenOutBindings() throws {
        var schema = fixture.schema
        try schema.declareBinding("ratio", source: "1 / (x - 1)")
        try schema.declareBinding("big", source: "exp(x)")
        let env = try Self.environment(schema, ["x": 1])
        #expect(try CompiledExpression("if(x == 1, 0, ratio + ratio)", schema: schema).evaluate(in: env) == 0)
        let twice = #expect(throws: ExpressionError.self) { try CompiledExpression("ratio + ratio", schema: schema).evaluate(in: env) }
        #expect(twice?.binding == "ratio" && twice?.kind == .divisionByZero)

        let far = try Self.environment(schema, ["x": 1000])
        let guarded = try CompiledExpression("if(big > 1, 0, big)", schema: schema)
        let unguarded = try CompiledExpression("big - 1", schema: schema)
        #expect(try guarded.evaluate(in: far) == 0)
        let alone = #expect(throws: ExpressionError.self) { try unguarded.evaluate(in: far) }
        #expect(alone?.binding == "big" && alone?.excerpt == "exp(x)")
        // In a row scope, as in a row of a game file: the same error.
        let layout = RowScope.Layout(environment: far, expressions: [guarded, unguarded])
        let scoped = withUnsafeTemporaryAllocation(of: Double.self, capacity: layout.capacity) { storage -> ExpressionError? in
            do {
                var scope = try RowScope(environment: far, layout: layout, storage: storage, setting: fixture.s, to: 0, fixture.a,
                                         to: 0, nil, to: 0, binding: fixture.mu, to: Fixture.defaultMu)
                #expect(try scope.evaluate(guarded) == 0)
                _ = try scope.evaluate(unguarded)
            } catch {
                return error as? ExpressionError
            }
            return nil
        }
        #expect(scoped?.description == alone?.description, "\(String(describing: scoped))")
        let afterGuarded = far.withBindingMemo { memo -> ExpressionError? in
            func run(_ e: CompiledExpression) throws(ExpressionError) -> Double {
                try e.evaluate(in: far, setting: fixture.s, to: 0, fixture.a, to: 0, binding: fixture.mu, to: Fixture.defaultMu,
                               memo: memo)
            }
            #expect((try? run(guarded)) == 0)
            do throws(ExpressionError) { _ = try run(unguarded) } catch { return error }
            return nil
        }
        #expect(afterGuarded?.description == alone?.description, "\(String(describing: afterGuarded))")
    }

    /// A field that is only a binding's name or a scalar (a game's `to: target`, `to: s`) is read
    /// from the row's memo or scalars without the VM: the same value, and the same error when
    /// the remembered value is not finite (`big = exp(1000)`, remembered by a guarded field).
    @Test func aliasesGiveTheVMsValuesAndErrors() throws {
        var schema = fixture.schema
        try schema.declareBinding("big", source: "exp(x)")
        try schema.declareBinding("half", source: "x / 2")
        let fields = try ["if(big > 1, 0, big)", "big", "half * 2", "half", "x"].map { f throws(ExpressionError) in
            try CompiledExpression(f, schema: schema)
        }
        for x in [3.0, 1000] {
            let env = try Self.environment(schema, ["x": x])
            let alone = fields.map { e in Result { () throws(ExpressionError) in try e.evaluate(in: env) } }
            let layout = RowScope.Layout(environment: env, expressions: fields)
            let scoped = withUnsafeTemporaryAllocation(of: Double.self, capacity: layout.capacity) { storage in
                var scope = try? RowScope(environment: env, layout: layout, storage: storage, setting: fixture.s, to: 0, fixture.a,
                                          to: 0, nil, to: 0, binding: fixture.mu, to: Fixture.defaultMu)
                return fields.map { e in Result { () throws(ExpressionError) in
                    guard var row = scope else { throw ExpressionError(.environmentMismatch) }
                    defer { scope = row }
                    return try row.evaluate(e)
                } }
            }
            for (l, r) in zip(alone, scoped) {
                switch (l, r) {
                case let (.success(a), .success(b)): #expect(a.bitPattern == b.bitPattern, "x=\(x)")
                case let (.failure(a), .failure(b)): #expect(a.description == b.description, "x=\(x)")
                default: Issue.record("x=\(x): \(l) vs \(r)")
                }
            }
            if x == 1000 {
                #expect((try? alone[1].get()) == nil && (try? alone[3].get()) == 500 && (try? alone[4].get()) == 1000)
            }
        }
    }
}
