/// How expressions are compiled, for the tests that compare the programs' variants.
package enum CompilationOptions {
    /// Whether ``CompiledExpression/init(_:schema:)`` emits superinstructions for binary
    /// operations with a constant operand (the default). Tests compile a game file with
    /// `$fusesConstants.withValue(false)` to compare its values with the plain programs'.
    @TaskLocal package static var fusesConstants = true
}

/// An expression parsed, checked and compiled against a ``Schema``, ready to be
/// evaluated many times.
///
/// Compilation resolves every name to a slot or a constant, checks function
/// arities and array shapes, folds constant sub-expressions, and lowers the
/// result to a flat postfix program for a small stack machine. Evaluation
/// does no parsing, no name lookup and no heap allocation (the stack lives in
/// temporary storage sized at compile time).
///
/// A compiled expression is an immutable `Sendable` value; share it freely
/// between threads, each with its own ``Environment``.
///
/// ```swift
/// let radius = try CompiledExpression("0.1 * (1 - mu[s])", schema: schema)
/// env[s] = 3
/// try env.bind(mu, to: meanField)
/// let r = try radius.evaluate(in: env)
/// ```
public struct CompiledExpression: Sendable, CustomStringConvertible {
    /// The value of the expression if it does not depend on any variable
    /// (after folding constants, e.g. `2 * states` or `if(1, 3, mu[s])`), else `nil`.
    public private(set) var constantValue: Double?
    /// Everything else, immutable and behind one reference: expressions are captured
    /// by the closures of games read from files and copied on every evaluation there,
    /// and a copy then costs one retain instead of one per field (measured: 320 ns per
    /// reward evaluation before, on a 10,000-state game, mostly retains and releases).
    let program: Program

    /// The compiled program and its metadata.
    final class Program: Sendable {
        let source: String
        let variables: Set<String>
        let names: Set<String>
        let text: SourceText
        let layout: LayoutToken
        let arrays: [ArrayLayout]
        let instructions: [Instruction]
        let instructionSites: [Int32]
        let sites: [Site]
        /// The texts sites refer to: the expression's, then each inlined binding's (with its name).
        let texts: [(binding: String?, text: SourceText)]
        /// The grid's shape, for `cell` and `inside`.
        let grid: [Double]
        let stackSize: Int
        /// One more than the largest `let` binding slot the program remembers (0: none).
        let memoCount: Int
        /// What the whole program reads when it is one binding's name or one scalar variable
        /// (a target `to: target` or `to: s`), so that ``RowScope/evaluate(_:)`` can read it
        /// without running the VM.
        let alias: Alias

        init(source: String, variables: Set<String>, names: Set<String>, text: SourceText, layout: LayoutToken,
             arrays: [ArrayLayout], instructions: [Instruction], instructionSites: [Int32], sites: [Site],
             texts: [(binding: String?, text: SourceText)], grid: [Double], stackSize: Int, memoCount: Int) {
            self.source = source
            self.variables = variables
            self.names = names
            self.text = text
            self.layout = layout
            self.arrays = arrays
            self.instructions = instructions
            self.instructionSites = instructionSites
            self.sites = sites
            self.texts = texts
            self.grid = grid
            self.stackSize = stackSize
            self.memoCount = memoCount
            alias = Alias(instructions)
        }
    }

    /// A program that is one binding's name (its code between a `recall` that skips to the end
    /// and a `remember`) or one scalar variable, possibly followed by one binary operation with
    /// a constant (``Instruction/binaryConstant(_:_:)`` or ``Instruction/constantBinary(_:_:)``:
    /// a weight `1 - go`), or neither.
    enum Alias: Sendable {
        case none
        case binding(Int, Combination?)
        case scalar(Int, Combination?)

        init(_ code: [Instruction]) {
            let combination = code.last.flatMap(Combination.init)
            let body = combination == nil ? code[...] : code.dropLast()
            if body.count == 1, case let .scalar(slot) = body[0] {
                self = .scalar(slot, combination)
            } else if body.count >= 2, case let .recall(slot, skip) = body[0], skip == body.count,
                      case let .remember(last) = body[body.count - 1], last == slot {
                self = .binding(slot, combination)
            } else {
                self = .none
            }
        }
    }

    /// A binary operation with a constant operand, applied to an alias's value.
    struct Combination: Sendable {
        let operation: BinaryOperation
        let constant: Double
        /// `constant op x` (else `x op constant`).
        let constantFirst: Bool

        init?(_ instruction: Instruction) {
            switch instruction {
            case let .binaryConstant(op, c): (operation, constant, constantFirst) = (op, c, false)
            case let .constantBinary(c, op): (operation, constant, constantFirst) = (op, c, true)
            default: return nil
            }
        }

        /// The instruction's result for `x` on the stack (as the VM computes it), or `nil` when it fails.
        @inline(__always)
        func apply(_ x: Double) -> Double? {
            try? constantFirst ? Semantics.apply(operation, constant, x) : Semantics.apply(operation, x, constant)
        }
    }

    /// The source text the expression was compiled from.
    public var source: String { program.source }
    /// The variables (scalar and array, not constants) that evaluation reads,
    /// after folding: `if(0, mu[s], 1)` reads none.
    public var variables: Set<String> { program.variables }
    /// Every declared name the source mentions, constants included.
    public var names: Set<String> { program.names }

    var text: SourceText { program.text }
    var layout: LayoutToken { program.layout }
    var arrays: [ArrayLayout] { program.arrays }
    var instructions: [Instruction] { program.instructions }
    var instructionSites: [Int32] { program.instructionSites }
    var sites: [Site] { program.sites }
    var stackSize: Int { program.stackSize }

    /// Parses and compiles `source` against `schema`.
    ///
    /// - Throws: a syntax error (with line and column), or a compilation error:
    ///   an unknown or unavailable name, an unknown function or a wrong number of
    ///   arguments, indexing a number, too many indices, an array where a number is
    ///   needed. An expression that uses no variables is evaluated right away, so
    ///   `log(0)` fails here rather than at every evaluation.
    public init(_ source: String, schema: Schema) throws(ExpressionError) {
        try self.init(source, schema: schema, fusingConstants: CompilationOptions.fusesConstants)
    }

    /// As ``init(_:schema:)``; with `fusingConstants` false, the program has no
    /// superinstructions (``CodeGenerator/fusesConstants``): the plain program the tests
    /// compare the fused one with.
    init(_ source: String, schema: Schema, fusingConstants: Bool) throws(ExpressionError) {
        let text = SourceText(source)
        let syntax = try Parser.parse(text)
        if !schema.bindings.isEmpty {
            let (depth, size) = schema.expandedExtent(syntax)
            guard depth <= Schema.expansionLimit.depth, size <= Schema.expansionLimit.nodes else {
                throw ExpressionError(.expansionTooLarge(nodes: size, depth: depth))
            }
        }
        var compiler = Compiler(schema: schema, text: text)
        let node = try compiler.scalar(syntax)
        var generator = CodeGenerator()
        generator.fusesConstants = fusingConstants
        generator.emit(node, depth: 0)

        var variables = Set(generator.scalarSlots.map { schema.scalarNames[$0] })
        for i in generator.arraySlots where schema.arrays[i].constant == nil {
            variables.insert(schema.arrays[i].name)
        }
        self.program = Program(source: source, variables: variables, names: compiler.names, text: text,
                               layout: schema.layout, arrays: schema.arrays, instructions: generator.instructions,
                               instructionSites: generator.sites, sites: compiler.sites, texts: compiler.texts,
                               grid: (schema.grid ?? []).map(Double.init), stackSize: generator.stackSize,
                               memoCount: generator.memoCount)
        self.constantValue = node.constantValue
        if constantValue == nil, variables.isEmpty {
            // No variables: the value is fixed. Evaluate once, so errors surface now.
            constantValue = try evaluate(in: Environment(schema: schema))
        }
    }

    /// The slots of the `let` bindings the program remembers (those it uses, directly or
    /// through other bindings, and did not fold to a constant), in increasing order.
    package var rememberedBindings: [Int] {
        var slots = Set<Int>()
        for case let .remember(slot) in instructions { slots.insert(slot) }
        return slots.sorted()
    }

    /// An expression made of a constant value or a program (``RowScope/evaluate(_:)-(UnretainedExpression)``'s
    /// fallback).
    init(constantValue: Double?, program: Program) {
        self.constantValue = constantValue
        self.program = program
    }

    /// A handle on this expression that ``RowScope`` evaluates without touching the program's
    /// reference count: valid only while this expression, or a copy of it, is alive.
    package var unretained: UnretainedExpression {
        UnretainedExpression(constantValue: constantValue, program: program)
    }

    /// Whether the expression's value is fixed (see ``constantValue``).
    public var isConstant: Bool { constantValue != nil }

    /// Whether evaluation reads the variable `name` (e.g. `depends(on: "mu")`).
    public func depends(on name: String) -> Bool { variables.contains(name) }

    /// The source text.
    public var description: String { source }

    /// Evaluates the expression with the values in `environment`.
    ///
    /// Intermediate results may overflow to infinity (`1 / exp(1000)` is 0), but the
    /// result must be finite.
    ///
    /// - Throws: an evaluation error naming the failing sub-expression and its
    ///   position: an index out of range, division by zero, `log` of a non-positive
    ///   number, `sqrt` of a negative number, a negative base to a non-integer power,
    ///   reversed `clamp` bounds, an unbound array, or a result that is NaN or infinite
    ///   (located at the first sub-expression that became non-finite). Throws
    ///   `environmentMismatch` if `environment` was made from an unrelated schema.
    public func evaluate(in environment: Environment) throws(ExpressionError) -> Double {
        try evaluate(in: environment, .none)
    }

    /// Evaluates the expression with the values in `environment`, except the scalar slots
    /// `first` and `second`, set to `x` and `y`, and the array slot `array`, bound to `values`,
    /// for this evaluation only: the same value and errors as binding them in a copy of
    /// `environment` (the errors of `Environment.bind(_:to:)` with a slot first) and calling
    /// ``evaluate(in:)``, without the copy, so without allocating. The row functions of game
    /// files evaluate every `(s, a)` at every mean field this way.
    ///
    /// With `memo`, the `let` bindings already remembered there are read instead of evaluated,
    /// and those evaluated are remembered, for the other evaluations of the same row
    /// (``BindingMemo``); the value and errors are those without it.
    ///
    /// - Throws: as `Environment.bind(_:to:)` with a slot, then as ``evaluate(in:)``.
    package func evaluate(in environment: Environment, setting first: ScalarSlot, to x: Double, _ second: ScalarSlot,
                          to y: Double, binding array: ArraySlot, to values: [Double],
                          memo: BindingMemo? = nil) throws(ExpressionError) -> Double {
        try environment.checkBinding(array, count: values.count)
        return try evaluate(in: environment, Replacements(first: first.index, x: x, second: second.index, y: y,
                                                      array: array.index, values: values, memo: memo))
    }

    /// As ``evaluate(in:setting:to:_:to:binding:to:memo:)`` with a third scalar slot `third` set to
    /// `z` (the noise value `e` of a `{next, noise}` transition, or `t`).
    ///
    /// - Throws: as ``evaluate(in:setting:to:_:to:binding:to:memo:)``.
    package func evaluate(in environment: Environment, setting first: ScalarSlot, to x: Double, _ second: ScalarSlot,
                          to y: Double, _ third: ScalarSlot, to z: Double, binding array: ArraySlot,
                          to values: [Double], memo: BindingMemo? = nil) throws(ExpressionError) -> Double {
        try environment.checkBinding(array, count: values.count)
        return try evaluate(in: environment, Replacements(first: first.index, x: x, second: second.index, y: y,
                                                      third: third.index, z: z, array: array.index, values: values,
                                                      memo: memo))
    }

    func evaluate(in environment: Environment, _ replacements: Replacements) throws(ExpressionError) -> Double {
        if let constantValue { return constantValue }
        guard environment.layout === layout else { throw ExpressionError(.environmentMismatch) }
        let value: Double
        do {
            value = try run(environment, replacements, diagnose: false)
        } catch {
            throw locate(error)
        }
        if value.isFinite { return value }
        throw nonFiniteError(value, environment, replacements)
    }

    /// The error for a non-finite result `value`: the program run again, stopping at the first
    /// sub-expression that became non-finite (with a memo of its own, so that a binding
    /// remembered elsewhere is evaluated here and located where it became non-finite).
    func nonFiniteError(_ value: Double, _ environment: Environment, _ replacements: Replacements) -> ExpressionError {
        do {
            _ = try run(environment, replacements, diagnose: true)
        } catch {
            return locate(error)
        }
        return ExpressionError(.nonFinite(value), position: text.position(at: 0), excerpt: text.excerpt(0..<text.count))
    }

    /// Attaches the position and text of the failing instruction's sub-expression.
    func locate(_ fault: LocatedFault) -> ExpressionError {
        let site = fault.instruction < instructionSites.count ? Int(instructionSites[fault.instruction]) : -1
        guard site >= 0, site < sites.count else {
            return ExpressionError(fault.kind, position: text.position(at: 0), excerpt: text.excerpt(0..<text.count))
        }
        let range = sites[site].range
        let (binding, text) = program.texts[sites[site].text]
        var error = ExpressionError(fault.kind, position: text.position(at: range.lowerBound), excerpt: text.excerpt(range))
        error.binding = binding
        return error
    }
}
