import Ambiguity
import GameFiles
import MeanField
import NumberText

extension ABIGame {
    /// `rmfg solve`: the equilibrium with the JSON fields of `rmfg solve --format json`
    /// and the arrays `meanField`, `policy` (row-major `n × m`), `value`, `optimalValue`
    /// and the trace columns `trace.exploitability`, `trace.stationarityResidual`,
    /// `trace.meanFieldChange`, `trace.seconds`, `trace.temperature`.
    ///
    /// With `coarsest` (`rmfg solve --coarse-start --coarsest-states N`): the game's coarser
    /// grids solved first and the start spread from them (``CoarseStart``), the levels reported
    /// under `coarseStart` in the JSON.
    package func solve(verify: Bool, coarsest: Int? = nil) throws(ABIError) -> ABIResult {
        var options = file.equilibriumOptions
        options.verify = verify
        let coarse = try coarsest.flatMap { c throws(ABIError) in try coarseStart(coarsest: c) }
        if let coarse { options = CoarseStart.options(options, startingFrom: coarse.meanField) }
        let result = try run { () throws(MeanFieldError) in try game.solveEquilibrium(options: options) }
        var arrays: [String: [Double]] = ["meanField": result.meanField, "policy": result.policy.probabilities,
                                          "value": result.values, "optimalValue": result.optimalValues]
        arrays["trace.exploitability"] = result.trace.map(\.exploitability)
        arrays["trace.stationarityResidual"] = result.trace.map(\.stationarityResidual)
        arrays["trace.meanFieldChange"] = result.trace.map(\.meanFieldChange)
        arrays["trace.seconds"] = result.trace.map(\.seconds)
        arrays["trace.temperature"] = result.trace.map(\.temperature)
        var fields = solveFields(result)
        if let coarse { fields.append(("coarseStart", CoarseStart.json(coarse.levels))) }
        return ABIResult(json: JSON.object(fields).serialized, arrays: arrays)
    }

    /// The coarse levels' solves and the start they give (``CoarseStart/start(for:overrides:coarsest:load:)``),
    /// each level read from this game's source (a path or the text it was parsed from) with
    /// this game's overrides; `nil` for a grid of at most `coarsest` states. Errors as `rmfg
    /// solve --coarse-start`'s, under the field `coarse_start` (`coarsest_states` for a
    /// `coarsest` below 1): invalid input for a game that cannot be coarsened or a level that
    /// does not load, a failure when a level's solve fails numerically.
    func coarseStart(coarsest: Int) throws(ABIError) -> (meanField: [Double], levels: [CoarseStart.Level])? {
        guard coarsest >= 1 else {
            throw ABIError(.invalidInput, field: "coarsest_states", message: "coarsest_states: \(coarsest), expected a whole number >= 1")
        }
        guard overrides.initial == nil else {
            throw ABIError(.invalidInput, field: "coarse_start",
                           message: "coarse_start: cannot be combined with initial (the coarse levels give the start)")
        }
        let source = source
        let load: CoarseStart.Loader = { (o: GameOverrides) throws(GameFileError) -> GameFile in
            switch source {
            case let .path(path): try GameFile.load(path: path, overrides: o)
            case let .text(text, name, json): try GameFile.parse(text: text, path: name, json: json, overrides: o)
            }
        }
        do throws(CoarseStart.Failure) {
            return try CoarseStart.start(for: file, overrides: overrides, coarsest: coarsest, load: load)
        } catch {
            if case .solve(_, .numerical) = error {
                throw ABIError(.failed, field: "coarse_start", message: "\(file.path): coarse_start: \(error.description)")
            }
            throw ABIError(.invalidInput, field: "coarse_start", message: "\(file.path): coarse_start: \(error.description)")
        }
    }

    /// The fields of `rmfg solve --format json` (without `nominal`, which `--compare-nominal` adds).
    func solveFields(_ result: EquilibriumResult) -> [(String, JSON)] {
        var fields: [(String, JSON)] = [
            ("game", .string(file.name)), ("converged", .bool(result.converged)), ("iterations", .int(result.iterations)),
            ("meanField", .numbers(result.meanField)), ("policy", .matrix(result.policy.rows)),
            ("value", .numbers(result.values)), ("optimalValue", .numbers(result.optimalValues)),
            ("exploitability", .number(result.exploitability)), ("stationarityResidual", .number(result.stationarityResidual)),
            ("trace", .array(result.trace.map { r in
                .object([("iteration", .int(r.iteration)), ("exploitability", .number(r.exploitability)),
                         ("stationarityResidual", .number(r.stationarityResidual)),
                         ("meanFieldChange", .number(r.meanFieldChange)), ("seconds", .number(r.seconds)),
                         ("method", .string(r.method.rawValue)), ("temperature", .number(r.temperature))])
            })),
            ("seconds", .number(result.seconds)), ("states", .array(file.stateNames.map { .string($0) })),
            ("actions", .array(file.actionNames.map { .string($0) })), ("method", .string(result.method.rawValue)),
            ("message", .string(result.message)), ("set", .string(file.setName)), ("radius", .string(file.radiusSource)),
            ("temperature", .number(file.solver.temperature)), ("tolerance", .number(file.solver.tolerance)),
            ("population", .string(file.population.rawValue)), ("inner", .string(file.innerSolverUsed)),
        ]
        if let note = file.innerSolverNote { fields.append(("innerNote", .string(note))) }
        if let v = result.verification {
            fields.append(("verification", .object([("problems", .int(v.problems)),
                                                     ("maxDisagreement", .number(v.maxDisagreement)),
                                                     ("tolerance", .number(Acceptance.tolerance(values: result.values)))])))
        }
        return fields
    }

    /// `rmfg evaluate`: the pair `(π, μ)` checked as `PairFiles` checks files, then
    /// evaluated with the file's temperature, population model and inner method.
    package func evaluate(policy: [Double], actions m: Int, meanField mu: [Double]) throws(ABIError) -> ABIResult {
        let n = file.stateCount
        guard m == file.actionCount, policy.count == n * m else {
            throw .input("policy", "shape \(policy.count / max(m, 1)) x \(m), expected \(n) x \(file.actionCount) (states x actions)")
        }
        if let i = policy.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw .input("policy", "entry (\(i / m), \(i % m)) is \(policy[i]), expected a finite number >= 0")
        }
        let pi: Policy
        do { pi = try Policy(stateCount: n, actionCount: m, probabilities: policy) } catch { throw .input("policy", error.detail) }
        guard mu.count == n else { throw .input("meanField", "shape \(mu.count), expected a vector of \(n) entries (one per state)") }
        if let s = mu.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw .input("meanField", "entry \(s) is \(mu[s]), expected a finite number >= 0")
        }
        let sum = mu.reduce(0, +)
        guard abs(sum - 1) <= MeanFieldGame.probabilityTolerance else {
            throw .input("meanField", "entries sum to \(sum), expected 1 within \(MeanFieldGame.probabilityTolerance)")
        }
        return try evaluated(pi, mu)
    }

    func evaluated(_ pi: Policy, _ mu: [Double]) throws(ABIError) -> ABIResult {
        let options = file.equilibriumOptions
        var values = options.values
        values.inner = options.inner
        let (e, br) = try run { () throws(MeanFieldError) in
            (try game.evaluate(policy: pi, meanField: mu, temperature: options.temperature, population: options.population,
                               options: values),
             try game.bestResponse(meanField: mu, temperature: options.temperature, options: values))
        }
        let fields: [(String, JSON)] = [
            ("game", .string(file.name)), ("temperature", .number(options.temperature)),
            ("population", .string(file.population.rawValue)), ("set", .string(file.setName)),
            ("radius", .string(file.radiusSource)), ("exploitability", .number(e.exploitability)),
            ("stationarityResidual", .number(e.stationarityResidual)), ("meanField", .numbers(e.meanField)),
            ("policy", .matrix(e.policy.rows)), ("value", .numbers(e.policyValues.values)),
            ("optimalValue", .numbers(e.optimal.values)), ("bestResponse", .matrix(br.rows)),
            ("populationUpdate", .numbers(e.populationUpdate)),
            ("states", .array(file.stateNames.map { .string($0) })), ("actions", .array(file.actionNames.map { .string($0) })),
        ]
        return ABIResult(json: JSON.object(fields).serialized,
                         arrays: ["value": e.policyValues.values, "optimalValue": e.optimal.values,
                                  "bestResponse": br.probabilities, "populationUpdate": e.populationUpdate])
    }
}
