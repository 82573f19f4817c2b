import Ambiguity
import Experiments
import GameFiles
import MeanField

/// A game behind an opaque handle: the validated file, the solver's game, and where it
/// came from (so that overrides re-read it exactly as `rmfg solve --set … GAME` does).
package final class ABIGame: @unchecked Sendable {
    package enum Source: Sendable {
        case path(String)
        case text(String, name: String, json: Bool)
    }

    package let source: Source
    /// The parameter overrides and starting mean field the game was loaded with
    /// (`rmfg_game_load_with`), kept by every later re-reading with solver overrides.
    package let base: GameOverrides
    /// Every override the game was read with (parameters, starting mean field and solver
    /// settings): what a coarse start's levels are read with too.
    package let overrides: GameOverrides
    package let file: GameFile
    package let game: MeanFieldGame

    package init(source: Source, overrides: GameOverrides = GameOverrides()) throws(ABIError) {
        self.source = source
        base = GameOverrides(parameters: overrides.parameters, initial: overrides.initial)
        self.overrides = overrides
        do throws(GameFileError) {
            switch source {
            case let .path(path): file = try GameFile.load(path: path, overrides: overrides)
            case let .text(text, name, json): file = try GameFile.parse(text: text, path: name, json: json, overrides: overrides)
            }
            game = try file.makeGame()
        } catch {
            throw Self.mapped(error)
        }
    }

    /// This game, or a fresh reading of its source with `overrides` (and the parameters and
    /// starting mean field it was loaded with) when there are any.
    package func applying(_ overrides: GameOverrides) throws(ABIError) -> ABIGame {
        guard overrides != GameOverrides() else { return self }
        var merged = overrides
        merged.parameters = base.parameters + overrides.parameters
        merged.initial = overrides.initial ?? base.initial
        return try ABIGame(source: source, overrides: merged)
    }

    /// A game-file error as the CLI prints it (the message); the field is the file's field,
    /// or for an override the name of its parameter here (`params`, `initial`, `initial[1]`
    /// for what the CLI names `--param`, `--initial`, `--initial[1]`).
    package static func mapped(_ error: GameFileError) -> ABIError {
        ABIError(.invalidInput, field: error.override?.parameterName ?? error.field, message: error.description)
    }

    /// The overrides of `rmfg_game_load_with`: `NAME=VALUE` lines parsed as `--param` is,
    /// and a starting mean field given as numbers or as a file read as `--initial FILE`.
    package static func loadOverrides(params: String?, initial: [Double]?, initialPath: String?) throws(ABIError) -> GameOverrides {
        var o = GameOverrides()
        do throws(GameFileError) {
            for line in (params ?? "").split(separator: "\n", omittingEmptySubsequences: true) {
                o.parameters.append(try ParameterOverride.parse(String(line)))
            }
            if let initialPath {
                guard initial == nil else {
                    throw GameFileError(file: "--initial", field: "", message: "give the starting mean field as numbers or as a file, not both",
                                        override: .initial(entry: ""))
                }
                o.initial = try GameOverrides.readInitial(path: initialPath)
            } else {
                o.initial = initial
            }
        } catch {
            throw mapped(error)
        }
        return o
    }

    /// Runs a MeanField computation with the CLI's mapping of its errors: numerical
    /// failures (status failed), everything else named by the game file's field.
    package func run<T>(_ body: () throws(MeanFieldError) -> T) throws(ABIError) -> T {
        do { return try body() } catch {
            if case let .numerical(message) = error {
                throw ABIError(.failed, field: "solver", message: "\(file.path): the solver failed numerically: \(message)")
            }
            throw Self.mapped(file.explain(error))
        }
    }
}

/// The override text of the C API: `key=value` lines, the keys of `rmfg solve`'s flags
/// with underscores (`set`, `radius`, `support`, `temperature`, `method`, `damping`,
/// `learning_rate`, `tolerance`, `max_iterations`, `population`, `inner`, `ties`).
package enum OverrideText {
    package static func parse(_ text: String?) throws(ABIError) -> GameOverrides {
        var o = GameOverrides()
        for line in (text ?? "").split(separator: "\n") where !line.isEmpty {
            guard let eq = line.firstIndex(of: "=") else { throw .input("overrides", "'\(line)', expected key=value") }
            let key = String(line[..<eq]), value = String(line[line.index(after: eq)...])
            try apply(key, value, to: &o)
        }
        return o
    }

    static func apply(_ key: String, _ value: String, to o: inout GameOverrides) throws(ABIError) {
        switch key {
        case "set": o.set = try choice(value, key, AmbiguityKind.self)
        case "radius": o.radius = value
        case "support": o.support = try choice(value, key, SupportRestriction.self)
        case "temperature": o.temperature = try number(value, key)
        case "method": o.method = try choice(value, key, EquilibriumMethod.self)
        case "damping": o.damping = try number(value, key)
        case "learning_rate": o.learningRate = try number(value, key)
        case "tolerance": o.tolerance = try number(value, key)
        case "max_iterations":
            guard let n = Int(value) else { throw .input(key, "'\(value)', expected an integer") }
            o.maxIterations = n
        case "population": o.population = try choice(value, key, PopulationModel.self)
        case "inner": o.inner = try choice(value, key, InnerMethod.self)
        case "ties": o.ties = try choice(value, key, TieRule.self)
        default:
            throw .input(
                key,
                "unknown override, expected one of set, radius, support, temperature, method, damping, learning_rate, tolerance, max_iterations, population, inner, ties"
            )
        }
    }

    static func number(_ text: String, _ key: String) throws(ABIError) -> Double {
        guard let x = Double(text), x.isFinite else { throw .input(key, "'\(text)', expected a finite number") }
        return x
    }

    static func choice<T: RawRepresentable & CaseIterable>(_ text: String, _ key: String, _: T.Type) throws(ABIError) -> T
        where T.RawValue == String {
        guard let value = T(rawValue: text) else {
            throw .input(key, "'\(text)', expected one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
