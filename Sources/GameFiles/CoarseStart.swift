import MeanField
import NumberText

/// Coarse-to-fine starts for grid games whose sides are parameters (`states: {grid: [width,
/// height]}`; Docs/Solvers.md, "Coarse-to-fine starts"): the game is solved on a chain of
/// coarser grids, each side halved (rounded up) per level, coarsest first; each level starts
/// from the level below spread over 2×2 (2×2×2) blocks, and the finest coarse level's mean
/// field, spread once more, is the start of the requested grid.
///
/// Why: on the crowd grid of `Examples/crowd-grid.yaml` the equilibrium is self-similar in the
/// grid's side (two crowds at a plateau density, their fronts at about half the side), and the
/// slow mode of the solvers' iterations is the crowds' front. From a spread coarse solution the
/// front is already in place: 200×200 and 300×300 converge (they do not from the uniform mean
/// field), 100×100 in 4–6 s of CPU against 42 s (Docs/Performance.md, section 8).
public enum CoarseStart {
    /// Levels are coarsened while they have more than this many states.
    public static let coarsestStates = 4096

    /// One coarser level's solve.
    public struct Level: Sendable, Equatable {
        /// The level's grid.
        public let shape: [Int]
        /// Its outer iterations.
        public let iterations: Int
        /// Whether it converged (an unconverged level still starts the next: its best pair).
        public let converged: Bool
        /// Its exploitability.
        public let exploitability: Double
        /// Its stationarity residual.
        public let stationarityResidual: Double
        /// Its solve's seconds (wall).
        public let seconds: Double
    }

    /// Why a coarse-to-fine start failed: the game at a coarser grid is not a valid game, or its
    /// solve failed.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The file at the coarser grid `shape` does not load.
        case load(shape: [Int], GameFileError)
        /// The solve at `shape` failed.
        case solve(shape: [Int], MeanFieldError)
        /// The game's grid is not sized by parameters.
        case notParameterSized

        /// One line naming the level's grid and what failed.
        public var description: String {
            switch self {
            case let .load(shape, error): "the game at the coarser grid \(CoarseStart.text(shape)): \(error.description)"
            case let .solve(shape, error): "the solve at the coarser grid \(CoarseStart.text(shape)): \(error.description)"
            case .notParameterSized: "states.grid: a coarse start needs a grid whose every side is a parameter (e.g. grid: [width, height])"
            }
        }
    }

    /// `"150 × 150"`.
    public static func text(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: " × ") }

    /// The coarser levels of a grid of `shape`, coarsest first: every side halved (rounded up)
    /// while the level has more than `coarsest` states (no level for a grid of at most that many).
    public static func levels(below shape: [Int], coarsest: Int = coarsestStates) -> [[Int]] {
        var levels: [[Int]] = []
        var current = shape
        while current.reduce(1, *) > coarsest, current.contains(where: { $0 > 1 }) {
            current = current.map { ($0 + 1) / 2 }
            levels.append(current)
        }
        return levels.reversed()
    }

    /// `coarse` (a mean field on the grid `from`, states `x + W·y (+ W·H·z)`) spread over the
    /// grid `to`, whose sides are at most twice `from`'s: fine cell `(x, y)` takes the mass of
    /// coarse cell `(x/2, y/2)` divided by the number of fine cells that map to it, so the total
    /// mass is kept.
    /// `nil` when the shapes do not fit (different dimensions, `coarse` not of `from`'s size, a
    /// side of `to` not in `1...2·from`).
    public static func spread(_ coarse: [Double], from: [Int], to: [Int]) -> [Double]? {
        guard from.count == to.count, coarse.count == from.reduce(1, *),
              zip(from, to).allSatisfy({ f, t in f >= 1 && t >= 1 && t <= 2 * f }) else { return nil }
        func coarseIndex(_ fine: Int) -> Int {
            var rest = fine, index = 0, stride = 1
            for k in to.indices {
                let c = min((rest % to[k]) / 2, from[k] - 1)
                rest /= to[k]
                index += c * stride
                stride *= from[k]
            }
            return index
        }
        let fineCount = to.reduce(1, *)
        var counts = [Int](repeating: 0, count: coarse.count)
        for f in 0..<fineCount { counts[coarseIndex(f)] += 1 }
        var fine = [Double](repeating: 0, count: fineCount)
        for f in 0..<fineCount {
            let c = coarseIndex(f)
            fine[f] = coarse[c] / Double(counts[c])
        }
        return fine
    }

    /// Reads the game's source again with other overrides (a level's grid sides added).
    public typealias Loader = @Sendable (GameOverrides) throws(GameFileError) -> GameFile

    /// `options` for a solve that starts from `start`, a coarser level's mean field spread over
    /// the solve's grid: `start` as the initial mean field; shorter images in the
    /// frozen-policy crowd steps (2 instead of 4 times the lazy steps per image); and, where
    /// `auto` runs those steps, the steps from the first iteration instead of after a phase on
    /// lazy steps (`EquilibriumOptions.frozenPolicyFromStart`, package access), since from a
    /// spread coarse solution the crowd's front is already in place (Docs/Solvers.md,
    /// "Coarse-to-fine starts").
    public static func options(_ options: EquilibriumOptions, startingFrom start: [Double]) -> EquilibriumOptions {
        var options = options
        options.initialMeanField = start
        options.frozenPolicyStepMultiple = EquilibriumOptions.frozenPolicyCoarseStartStepFactor
        options.frozenPolicyFromStart = true
        return options
    }

    /// The start of `file` (loaded with `overrides`): the chain of its coarser levels solved
    /// coarsest first with the file's solver settings (the coarsest from the file's `initial`, each
    /// other from the level below through ``options(_:startingFrom:)``),
    /// and the last level's mean field spread over `file`'s grid; `nil` levels when the grid has
    /// at most ``coarsestStates`` states (no coarser level: the file's own start). Each level is
    /// read by `load` (by default the file at `file.path`; a game parsed from text passes a
    /// loader that parses the same text).
    /// - Throws: ``Failure``: the grid is not sized by parameters, a level does not load, or its
    ///   solve fails.
    public static func start(for file: GameFile, overrides: GameOverrides, coarsest: Int = coarsestStates,
                             load: Loader? = nil) throws(Failure) -> (meanField: [Double], levels: [Level])? {
        let path = file.path
        let byPath: Loader = { (o: GameOverrides) throws(GameFileError) -> GameFile in try GameFile.load(path: path, overrides: o) }
        let read: Loader
        if let load { read = load } else { read = byPath }
        guard let shape = file.grid, let names = file.gridParameters, names.count == shape.count else {
            throw .notParameterSized
        }
        let chain = levels(below: shape, coarsest: coarsest)
        guard !chain.isEmpty else { return nil }
        var done: [Level] = []
        var previous: (shape: [Int], meanField: [Double])? = nil
        for level in chain {
            var sized = overrides
            sized.initial = nil
            for (name, side) in zip(names, level) {
                sized.parameters.append(ParameterOverride(name: name, shape: [], elements: [Double(side)]))
            }
            let coarse: GameFile, game: MeanFieldGame
            do throws(GameFileError) {
                coarse = try read(sized)
                game = try coarse.makeGame()
            } catch { throw .load(shape: level, error) }
            // The file's own tolerance, not a looser one: a 500×500 level solved to 1e-5 left the
            // 1000×1000 crowd grid unconverged (Docs/Performance.md, "Twenty-fourth round").
            var options = coarse.equilibriumOptions
            options.verify = false
            options.exact = false
            options.progress = nil
            // (the levels halve each side, so every spread fits)
            if let previous, let start = spread(previous.meanField, from: previous.shape, to: level) {
                options = Self.options(options, startingFrom: start)
            }
            let result: EquilibriumResult
            do throws(MeanFieldError) { result = try game.solveEquilibrium(options: options) } catch {
                throw .solve(shape: level, error)
            }
            done.append(Level(shape: level, iterations: result.iterations, converged: result.converged,
                              exploitability: result.exploitability, stationarityResidual: result.stationarityResidual,
                              seconds: result.seconds))
            previous = (level, result.meanField)
        }
        guard let previous, let start = spread(previous.meanField, from: previous.shape, to: shape) else { return nil }
        return (start, done)
    }

    /// The levels as `rmfg solve --format json` reports them under `coarseStart` (and the
    /// Python package's `json`): one object per level, coarsest first.
    package static func json(_ levels: [Level]) -> JSON {
        .array(levels.map { l in
            .object([("grid", .array(l.shape.map { .int($0) })), ("iterations", .int(l.iterations)),
                     ("converged", .bool(l.converged)), ("exploitability", .number(l.exploitability)),
                     ("stationarityResidual", .number(l.stationarityResidual)), ("seconds", .number(l.seconds))])
        })
    }
}
