/// A linear program, described as a value: variables with bounds, sparse
/// constraints (rows) with bounds, and a linear objective to minimize or
/// maximize.
///
/// Building a `LinearProgram` never touches GLPK. Everything is validated in
/// Swift when it is solved (or written), so no input can reach GLPK's
/// `abort()` on an invalid argument or feed it a NaN. GLPK is used only inside
/// ``solve(options:)`` and ``withSolver(_:)``, each a synchronous scope that
/// creates, uses and deletes its `glp_prob` on the calling OS thread.
///
/// ```swift
/// var lp = LinearProgram(sense: .maximize)
/// let x = lp.addVariable(name: "x", objective: 3)
/// let y = lp.addVariable(name: "y", objective: 5)
/// lp.addConstraint(name: "c1", terms: [(x, 1)], upper: 4)
/// lp.addConstraint(name: "c2", terms: [(y, 2)], upper: 12)
/// lp.addConstraint(name: "c3", terms: [(x, 3), (y, 2)], upper: 18)
/// let solution = try lp.solve()   // objective 36 at x = 2, y = 6
/// ```
public struct LinearProgram: Sendable, Hashable {
    /// The direction of optimization.
    public enum Sense: String, Sendable, Hashable {
        /// Minimize the objective.
        case minimize
        /// Maximize the objective.
        case maximize
    }

    /// A column of the program.
    public struct Variable: Sendable, Hashable {
        /// An optional name, used in error messages and in exported files.
        public var name: String?
        /// The lower bound; `nil` or `-infinity` means unbounded below.
        public var lower: Double?
        /// The upper bound; `nil` or `+infinity` means unbounded above.
        public var upper: Double?
        /// The objective coefficient.
        public var objective: Double
    }

    /// A row of the program: `lower ≤ Σ coefficient · x[variable] ≤ upper`.
    public struct Constraint: Sendable, Hashable {
        /// A single non-zero of a row.
        public struct Term: Sendable, Hashable {
            /// The 0-based variable index.
            public var variable: Int
            /// The coefficient.
            public var coefficient: Double
        }
        /// An optional name, used in error messages and in exported files.
        public var name: String?
        /// The row's non-zeros; variables must be distinct.
        public var terms: [Term]
        /// The lower bound; `nil` or `-infinity` means unbounded below.
        public var lower: Double?
        /// The upper bound; `nil` or `+infinity` means unbounded above.
        public var upper: Double?
    }

    /// Minimize or maximize.
    public var sense: Sense
    /// A constant added to the objective.
    public var objectiveConstant: Double = 0
    /// The columns, in index order.
    public private(set) var variables: [Variable] = []
    /// The rows, in index order.
    public private(set) var constraints: [Constraint] = []

    /// An empty program.
    public init(sense: Sense = .minimize) {
        self.sense = sense
    }

    /// Adds a column and returns its 0-based index.
    ///
    /// - Parameters:
    ///   - name: an optional name (at most 255 bytes, no control characters).
    ///   - lower: lower bound, default `0`; `nil` means unbounded below.
    ///   - upper: upper bound, default `nil` (unbounded above).
    ///   - objective: the objective coefficient, default `0`.
    @discardableResult
    public mutating func addVariable(name: String? = nil, lower: Double? = 0, upper: Double? = nil, objective: Double = 0) -> Int {
        variables.append(Variable(name: name, lower: lower, upper: upper, objective: objective))
        return variables.count - 1
    }

    /// Adds a row `lower ≤ Σ c·x ≤ upper` and returns its 0-based index.
    /// `lower == upper` makes it an equality; both `nil` makes it free.
    @discardableResult
    public mutating func addConstraint(name: String? = nil, terms: [(variable: Int, coefficient: Double)],
                                       lower: Double? = nil, upper: Double? = nil) -> Int {
        constraints.append(Constraint(
            name: name,
            terms: terms.map { Constraint.Term(variable: $0.variable, coefficient: $0.coefficient) },
            lower: lower, upper: upper))
        return constraints.count - 1
    }

    /// Changes the objective coefficient of `variable`.
    ///
    /// - Precondition: `variable` is a valid index (a programming error otherwise).
    public mutating func setObjective(_ coefficient: Double, for variable: Int) {
        variables[variable].objective = coefficient
    }

    /// Solves the program in a fresh GLPK problem and deletes it before returning.
    ///
    /// - Throws: ``LPError`` when the program or the options are invalid, or GLPK
    ///   reports an error. A program that is infeasible or unbounded does *not*
    ///   throw: the solution's ``LPSolution/status`` says so.
    public func solve(options: LPOptions = LPOptions()) throws(LPError) -> LPSolution {
        try withSolver { (solver: inout LPSolver) throws(LPError) -> LPSolution in
            try solver.solve(options: options)
        }
    }

    /// Runs `body` with a live solver that owns one GLPK problem built from this
    /// program. The problem is created, used and deleted on the calling thread,
    /// inside this synchronous call: `body` cannot `await`, and the solver is
    /// neither copyable nor `Sendable`, so it cannot leave the scope.
    ///
    /// Use it to re-solve after changing objective coefficients: the second
    /// solve starts from the previous optimal basis (warm start).
    public func withSolver<R>(_ body: (inout LPSolver) throws(LPError) -> R) throws(LPError) -> R {
        try validate()
        var solver = LPSolver(validated: self)
        return try body(&solver)
    }

    /// Checks every number, index, bound and name, throwing the first problem found.
    ///
    /// - Throws: ``LPError/invalidVariable(index:name:reason:)`` or
    ///   ``LPError/invalidConstraint(index:name:reason:)`` naming the offender,
    ///   ``LPError/invalidObjectiveConstant(_:)``.
    public func validate() throws(LPError) {
        guard objectiveConstant.isFinite else { throw .invalidObjectiveConstant(objectiveConstant) }
        guard variables.count < Int(Int32.max), constraints.count < Int(Int32.max) else {
            throw .tooLarge("more than \(Int32.max - 1) variables or constraints")
        }
        for (j, v) in variables.enumerated() {
            func fail(_ reason: String) -> LPError { .invalidVariable(index: j, name: v.name, reason: reason) }
            if let reason = Self.nameProblem(v.name) { throw fail(reason) }
            guard v.objective.isFinite else { throw fail("objective coefficient is \(v.objective), expected a finite number") }
            if let reason = Self.boundsProblem(v.lower, v.upper) { throw fail(reason) }
        }
        var seen = [Int](repeating: -1, count: variables.count)
        for (i, c) in constraints.enumerated() {
            func fail(_ reason: String) -> LPError { .invalidConstraint(index: i, name: c.name, reason: reason) }
            if let reason = Self.nameProblem(c.name) { throw fail(reason) }
            if let reason = Self.boundsProblem(c.lower, c.upper) { throw fail(reason) }
            for term in c.terms {
                guard term.variable >= 0, term.variable < variables.count else {
                    throw fail("refers to variable \(term.variable), expected an index in 0..<\(variables.count)")
                }
                guard term.coefficient.isFinite else {
                    throw fail("coefficient of variable \(term.variable) is \(term.coefficient), expected a finite number")
                }
                guard seen[term.variable] != i else {
                    throw fail("variable \(term.variable) appears twice, expected each variable at most once per row")
                }
                seen[term.variable] = i
            }
        }
    }

    static func boundsProblem(_ lower: Double?, _ upper: Double?) -> String? {
        if let lower {
            if lower.isNaN { return "lower bound is NaN" }
            if lower == .infinity { return "lower bound is +infinity" }
        }
        if let upper {
            if upper.isNaN { return "upper bound is NaN" }
            if upper == -.infinity { return "upper bound is -infinity" }
        }
        if let lower, let upper, lower > upper {
            return "lower bound \(lower) > upper bound \(upper)"
        }
        return nil
    }

    static func nameProblem(_ name: String?) -> String? {
        guard let name else { return nil }
        if name.isEmpty { return "empty name, expected nil or a non-empty name" }
        if name.utf8.count > 255 { return "name is \(name.utf8.count) bytes long, expected at most 255" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "name contains a control character"
        }
        return nil
    }
}
