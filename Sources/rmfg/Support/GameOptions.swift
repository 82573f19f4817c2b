import ArgumentParser
import GameFiles

/// Flags that override a game file's solver settings (`rmfg solve`, `check`,
/// `population`, `sweep`).
struct SolverOverrideOptions: ParsableArguments {
    @Option(help: "Override ambiguity.support: simplex or nominal.")
    var support: String?

    @Option(parsing: .unconditional, help: "Override solver.temperature τ >= 0 (entropy regularization; 0 = greedy best responses).")
    var temperature: Double?

    @Option(help: "Override solver.method: auto, anderson, fixed-point, fictitious-play or mirror-descent.")
    var method: String?

    @Option(parsing: .unconditional, help: "Override solver.damping, in (0, 1].")
    var damping: Double?

    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: "Override solver.learningRate (mirror descent), > 0.")
    var learningRate: Double?

    @Option(parsing: .unconditional, help: "Override solver.tolerance (on exploitability and stationarity residual), > 0.")
    var tolerance: Double?

    @Option(name: .customLong("max-iterations"), parsing: .unconditional, help: "Override solver.maxIterations, >= 1.")
    var maxIterations: Int?

    @Option(help: "Override population: worst-case (the population moves under nature's worst case) or nominal.")
    var population: String?

    @Option(help: "Override solver.inner: closed-form (default) or lp (every inner problem solved by GLPK).")
    var inner: String?

    /// These overrides, with the ambiguity set and radius of the file (or of `set`/`radius`).
    func overrides(set: String? = nil, radius: String? = nil) -> GameOverrides {
        GameOverrides(set: set, radius: radius, support: support, temperature: temperature, method: method,
                      damping: damping, learningRate: learningRate, tolerance: tolerance,
                      maxIterations: maxIterations, population: population, inner: inner)
    }

    /// A canonical description of the flags given (part of a sweep shard's identity).
    var key: String {
        var parts: [String] = []
        if let support { parts.append("support=\(support)") }
        if let temperature { parts.append("temperature=\(temperature)") }
        if let method { parts.append("method=\(method)") }
        if let damping { parts.append("damping=\(damping)") }
        if let tolerance { parts.append("tolerance=\(tolerance)") }
        if let maxIterations { parts.append("maxIterations=\(maxIterations)") }
        if let population { parts.append("population=\(population)") }
        if let learningRate { parts.append("learningRate=\(learningRate)") }
        if let inner { parts.append("inner=\(inner)") }
        return parts.joined(separator: ";")
    }
}

/// Flags that override a game file's values: the ambiguity set and radius, and
/// every solver setting (`rmfg solve`, `check`, `population`).
struct GameOverrideOptions: ParsableArguments {
    @Option(help: "Override ambiguity.set: none, tv, l1, linf, wasserstein, kl or chi2.")
    var set: String?

    @Option(parsing: .unconditional, help: "Override ambiguity.radius: a number >= 0 or an expression in s, a, mu.")
    var radius: String?

    @OptionGroup var solver: SolverOverrideOptions

    var overrides: GameOverrides { solver.overrides(set: set, radius: radius) }
}
