import ArgumentParser
import GameFiles
import MeanField
import NumberText

/// `rmfg check GAME`: validate a game file without solving it.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a game file without solving it.",
        discussion: """
        Loads GAME, checks every key (types, ranges, shapes, names, expressions and \
        the variables each may use), builds the game and checks every transition row, \
        reward and radius at the initial mean field. Prints the sizes, the ambiguity \
        set and the checks. Exit status 2 (one line naming the field) when invalid.
        """
    )

    @Argument(help: "The game file (YAML or JSON).")
    var game: String

    @OptionGroup var overrides: GameOverrideOptions

    @OptionGroup var format: FormatOptions

    func run() throws {
        try runCommand(format: format) {
            let file = try loadGame(game, overrides: try overrides.overrides)
            let built = try makeGame(file)
            let initial = file.initial ?? [Double](repeating: 1 / Double(file.stateCount), count: file.stateCount)
            let snapshot = try wrapSolve(file) { () throws(MeanFieldError) in try built.snapshot(at: initial) }
            let kernels = snapshot.kernels
            let rows = kernels.count
            let supports = kernels.map(\.indices.count)
            let radii = snapshot.radii
            switch try format.format {
            case .json:
                emit(JSON.object([
                    ("game", .string(file.name)), ("valid", .bool(true)),
                    ("stateCount", .int(file.stateCount)), ("actionCount", .int(file.actionCount)),
                    ("states", .array(file.stateNames.map { .string($0) })),
                    ("actions", .array(file.actionNames.map { .string($0) })),
                    ("discount", .number(file.discount)), ("set", .string(file.setName)),
                    ("radius", .string(file.radiusSource)), ("support", .string(file.support.rawValue)),
                    ("population", .string(file.population.rawValue)),
                    ("rowsChecked", .int(rows)),
                    ("maxRowSupport", .int(supports.max() ?? 0)), ("minRowSupport", .int(supports.min() ?? 0)),
                    ("radiusRange", .numbers([radii.min() ?? 0, radii.max() ?? 0])),
                    ("kernelDependsOnMeanField", .bool(built.kernelsDependOnMeanField)),
                    ("radiusDependsOnMeanField", .bool(built.radiiDependOnMeanField)),
                    ("rewardDependsOnMeanField", .bool(file.rewardDependsOnMeanField)),
                    ("method", .string(file.solver.method.rawValue)), ("temperature", .number(file.solver.temperature)),
                    ("tolerance", .number(file.solver.tolerance)),
                ]).serialized)
            case .text:
                emit("""
                \(file.path): valid
                  game        \(file.name)\(file.summary.map { " — \($0)" } ?? "")
                  states      \(file.stateCount)\(file.statesNamed ? " (\(preview(file.stateNames)))" : "")
                  actions     \(file.actionCount)\(file.actionsNamed ? " (\(preview(file.actionNames)))" : "")
                  discount    \(fmt(file.discount))
                  ambiguity   \(file.setName), radius \(file.radiusSource) \(file.hasRowSets ? "(one set per row, each containing its nominal row at the initial mean field)" : "(from \(fmt(radii.min() ?? 0)) to \(fmt(radii.max() ?? 0)) at the initial mean field)"), support \(file.support.rawValue)
                  population  \(file.population.rawValue)
                  solver      \(file.solver.method.rawValue), τ = \(fmt(file.solver.temperature)), tolerance \(fmt(file.solver.tolerance)), at most \(file.solver.maxIterations) iterations, inner \(file.hasRowSets ? "lp" : file.solver.inner.rawValue)
                  depends on μ: reward \(yesNo(file.rewardDependsOnMeanField)), transition \(yesNo(built.kernelsDependOnMeanField)), radius \(yesNo(built.radiiDependOnMeanField))
                  checked     \(rows) transition rows at the initial mean field: each a probability vector (sum 1 within 1e-9), \(supports.min() ?? 0) to \(supports.max() ?? 0) successors per row; every reward finite, every radius >= 0
                """)
            }
            return true
        }
    }

    func preview(_ names: [String]) -> String {
        names.count <= 12 ? names.joined(separator: ", ") : names.prefix(10).joined(separator: ", ") + ", …"
    }

    func yesNo(_ b: Bool) -> String { b ? "yes" : "no" }
}
