import ArgumentParser
import GameFiles

/// Flags that override a game file's values (`rmfg solve`, `population`, `sweep`).
struct GameOverrideOptions: ParsableArguments {
    @Option(help: "Override ambiguity.set: none, tv, l1, linf, wasserstein, kl or chi2.")
    var set: String?

    @Option(parsing: .unconditional, help: "Override ambiguity.radius: a number >= 0 or an expression in s, a, mu.")
    var radius: String?

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

    var overrides: GameOverrides {
        GameOverrides(set: set, radius: radius, support: support, temperature: temperature, method: method,
                      damping: damping, learningRate: learningRate, tolerance: tolerance,
                      maxIterations: maxIterations, population: population, inner: inner)
    }
}
