import ArgumentParser
import LinearProgramming
import NumberText

/// `rmfg lp FILE.lp`: solve a linear program written in CPLEX LP format and
/// print its certificate (status, objective, primal values, row duals, KKT residual).
struct LPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lp",
        abstract: "Solve a linear program in CPLEX LP format with GLPK and print its certificate.",
        discussion: """
        Reads FILE (for example one written by `rmfg worst-case --export-lp`), \
        solves it and prints the termination status, the objective, every \
        variable, every row's activity and dual value (GLPK's sign convention: \
        the rate of change of the optimum when the row's active bound moves up) \
        and the largest KKT residual. Exit status 1 when the status is not optimal; \
        2 when the file cannot be read or parsed (GLPK's message, with its line \
        number) or declares integer or binary variables (rmfg solves linear \
        programs, not integer programs).
        """
    )

    @Argument(help: "The LP file (CPLEX LP format).")
    var file: String

    @Flag(help: "Solve in exact rational arithmetic (glp_exact), starting from the floating optimum.")
    var exact = false

    @Option(help: "Simplex variant: primal or dual (default primal).")
    var simplex: String = "primal"

    @OptionGroup var output: FormatOptions

    func run() throws {
        try runCommand(format: output) {
            let method: LPMethod
            switch simplex {
            case "primal": method = .primalSimplex
            case "dual": method = .dualSimplex
            default: throw InputError("--simplex: '\(simplex)', expected primal or dual")
            }
            let lp: LinearProgram
            do throws(LPError) { lp = try LinearProgram(cplexFile: file) } catch {
                if case let .integerVariables(path, column, count) = error {
                    let which = count > 1 ? "columns '\(column)' and \(count - 1) more are" : "column '\(column)' is"
                    throw InputError("\(path): \(which) integer or binary (a General, Integer or Binary section): rmfg solves linear programs, not integer programs (delete the section to solve the relaxation)")
                }
                throw error
            }
            let s = try lp.solve(options: LPOptions(method: method, exact: exact))
            let names = lp.variables.enumerated().map { $0.element.name ?? "x\($0.offset + 1)" }
            let rowNames = lp.constraints.enumerated().map { $0.element.name ?? "r\($0.offset + 1)" }
            switch try output.format {
            case .json:
                emit(JSON.object([
                    ("file", .string(file)),
                    ("status", .string(s.status.rawValue)),
                    ("sense", .string(lp.sense.rawValue)),
                    ("objective", .number(s.objective)),
                    ("variables", .array(names.map { .string($0) })),
                    ("primal", .numbers(s.primal)),
                    ("reducedCosts", .numbers(s.reducedCosts)),
                    ("rows", .array(rowNames.map { .string($0) })),
                    ("rowActivities", .numbers(s.rowActivities)),
                    ("rowDuals", .numbers(s.rowDuals)),
                    ("kktResidual", .number(s.kktResidual)),
                    ("iterations", .int(s.iterations)),
                    ("exact", .bool(s.exact)),
                ]).serialized)
            case .text:
                var t = TextTable(header: ["variable", "value", "reduced cost"])
                for (k, n) in names.enumerated() { t.add([n, fmt(s.primal[k]), fmt(s.reducedCosts[k])]) }
                var r = TextTable(header: ["row", "activity", "dual"])
                for (k, n) in rowNames.enumerated() { r.add([n, fmt(s.rowActivities[k]), fmt(s.rowDuals[k])]) }
                emit("""
                \(file): \(lp.sense.rawValue), \(lp.variables.count) variables, \(lp.constraints.count) rows
                status      \(s.status.rawValue)\(s.exact ? " (exact arithmetic)" : "")
                objective   \(fmt(s.objective))
                KKT residual \(fmt(s.kktResidual)) (largest relative error of the optimality conditions)

                \(t.rendered)
                \(r.rendered)
                """)
            }
            return s.status == .optimal
        }
    }
}
