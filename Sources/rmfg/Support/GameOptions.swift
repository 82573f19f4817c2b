import Ambiguity
import ArgumentParser
import GameFiles
import MeanField

/// Flags that override a game file's solver settings (`rmfg solve`, `check`,
/// `population`, `sweep`).
struct SolverOverrideOptions: ParsableArguments {
    @Option(help: "Override ambiguity.support: simplex or nominal.")
    var support: Choice<SupportRestriction>?

    @Option(parsing: .unconditional, help: "Override solver.temperature τ >= 0 (entropy regularization; 0 = greedy best responses).")
    var temperature: Double?

    @Option(help: "Override solver.method: auto, anderson, fixed-point, fictitious-play, mirror-descent or newton.")
    var method: Choice<EquilibriumMethod>?

    @Option(parsing: .unconditional, help: "Override solver.damping, in (0, 1].")
    var damping: Double?

    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: "Override solver.learningRate (mirror descent), > 0.")
    var learningRate: Double?

    @Option(parsing: .unconditional, help: "Override solver.tolerance (on exploitability and stationarity residual), > 0.")
    var tolerance: Double?

    @Option(name: .customLong("max-iterations"), parsing: .unconditional, help: "Override solver.maxIterations, >= 1.")
    var maxIterations: WholeNumber?

    @Option(help: "Override population: worst-case (the population moves under nature's worst case) or nominal.")
    var population: Choice<PopulationModel>?

    @Option(help: "Override solver.inner: closed-form (default) or lp (every inner problem solved by GLPK).")
    var inner: Choice<InnerMethod>?

    @Option(help: "Override ambiguity.ties: index (ties broken by state index) or split (mass spread symmetrically over tied states).")
    var ties: Choice<TieRule>?

    @Option(name: .customLong("param"), parsing: .unconditionalSingleValue,
            help: "Replace parameter NAME for this run: NAME=VALUE, a number or a JSON array (repeatable).")
    var param: [String] = []

    @Option(parsing: .unconditional, help: "The starting mean field: a vector of n probabilities (.npy, CSV or JSON).")
    var initial: String?

    /// These overrides, with the ambiguity set and radius of the file (or of `set`/`radius`).
    ///
    /// - Throws: ``InputError`` naming the flag of an invalid choice.
    func overrides(set: AmbiguityKind? = nil, radius: String? = nil) throws -> GameOverrides {
        GameOverrides(set: set, radius: radius, support: try support.value(flag: "--support"), temperature: temperature,
                      method: try method.value(flag: "--method"), damping: damping, learningRate: learningRate,
                      tolerance: tolerance, maxIterations: try maxIterations.value(flag: "--max-iterations"),
                      population: try population.value(flag: "--population"), inner: try inner.value(flag: "--inner"),
                      ties: try ties.value(flag: "--ties"),
                      parameters: try parameterOverrides(), initial: try initialMeanField())
    }

    /// `--param` values, parsed by ``ParameterOverride/parse(_:)``.
    func parameterOverrides() throws -> [ParameterOverride] {
        try param.map { text in
            do throws(GameFileError) { return try ParameterOverride.parse(text) } catch { throw InputError(error.description) }
        }
    }

    /// The `--initial` vector, read by ``GameOverrides/readInitial(path:)`` (checked when the game loads).
    func initialMeanField() throws -> [Double]? {
        guard let initial else { return nil }
        do throws(GameFileError) { return try GameOverrides.readInitial(path: initial) } catch { throw InputError(error.description) }
    }
}

/// Flags that override a game file's values: the ambiguity set and radius, and
/// every solver setting (`rmfg solve`, `check`, `population`).
struct GameOverrideOptions: ParsableArguments {
    @Option(help: "Override ambiguity.set: none, tv, l1, linf, wasserstein, kl or chi2.")
    var set: Choice<AmbiguityKind>?

    @Option(parsing: .unconditional, help: "Override ambiguity.radius: a number >= 0 or an expression in s, a, mu.")
    var radius: String?

    @OptionGroup var solver: SolverOverrideOptions

    /// The overrides; throws an ``InputError`` naming the flag of an invalid choice.
    var overrides: GameOverrides {
        get throws { try solver.overrides(set: set.value(flag: "--set"), radius: radius) }
    }
}

/// Every file a game command read, which its `--output` folder must not overwrite
/// (``OutputDirectory``): the game file, the files of its `{file: PATH}` parameters,
/// `--initial`, and `others` (`--equilibrium`).
func commandInputs(game: String, file: GameFile, initial: String?, _ others: String?...) -> [String] {
    [game] + file.parameterFilePaths + ([initial] + others).compactMap { $0 }
}
