import Ambiguity
import Foundation
import GameFiles
import MeanField
import Testing
import TestSupport

/// Every key of Docs/Format.md, checked on tiny games whose data are verified
/// entry by entry through `MeanFieldGame.snapshot(at:)`.
@Suite struct LoaderTests {
    /// A dense kernel row `P̂(·|s, a)` at `μ`.
    static func row(_ snapshot: GameSnapshot, _ s: Int, _ a: Int) -> [Double] {
        snapshot.kernels[snapshot.row(s, a)].dense(count: snapshot.stateCount)
    }

    static let header = """
    name: tiny
    description: A hand-checkable game.
    states: [S, I]
    actions: [stay, go]
    discount: 0.75

    """

    // MARK: names, parameters, reward

    @Test func namesStandForTheirIndices() throws {
        let (file, game) = try loadGame(Self.header + """
        reward: "10 * s + a + 100 * (s == I) + 1000 * (a == go) + 10000 * (S + stay) + states + 7 * actions"
        transition: "t == a"
        """)
        #expect(file.stateNames == ["S", "I"] && file.statesNamed)
        #expect(file.actionNames == ["stay", "go"] && file.actionsNamed)
        #expect(file.name == "tiny" && file.summary == "A hand-checkable game.")
        #expect(file.discount == 0.75 && game.discount == 0.75)
        #expect(game.stateNames == ["S", "I"] && game.actionNames == ["stay", "go"])
        let snap = try game.snapshot(at: [0.3, 0.7])
        // + states (2) + 7 * actions (14) = 16 everywhere
        #expect(snap.rewards == [16, 1017, 126, 1127])
    }

    @Test func countsGiveUnnamedIndices() throws {
        let (file, game) = try loadGame("name: n\nstates: 3\nactions: 1\ndiscount: 0\nreward: \"s\"\ntransition: \"t == mod(s + 1, states)\"\n")
        #expect(file.stateNames == ["0", "1", "2"] && !file.statesNamed && !file.actionsNamed)
        #expect(file.discount == 0)
        let snap = try game.snapshot(at: uniform(3))
        #expect(snap.rewards == [0, 1, 2])
        #expect(Self.row(snap, 2, 0) == [1, 0, 0])
    }

    @Test func parametersOfEveryDepth() throws {
        let (_, game) = try loadGame(Self.header + """
        parameters:
          k: 0.5
          v: [1, 2]
          m: [[10, 20], [30, 40]]
          c:
            - [[100, 200], [300, 400]]
            - [[500, 600], [700, 800]]
        reward: "k + v[s] + m[s][a] + c[s][a][1] + 0.001 * sum(c) + max(v) + min(m[1])"
        transition: "t == a"
        """)
        let snap = try game.snapshot(at: [0.5, 0.5])
        // sum(c) = 3600 -> 3.6; max(v) = 2; min(m[1]) = 30
        let extra: Double = 0.5 + 3.6 + 2 + 30
        let base: [Double] = [211, 421, 632, 842]
        let expected = base.map { $0 + extra }
        #expect(isApproximatelyEqual(snap.rewards, expected, absolute: 1e-14, relative: 1e-14))
    }

    @Test func rewardReadsTheMeanField() throws {
        let (file, game) = try loadGame(Self.header + """
        reward: "-2 * mu[s] + 3 * mu[I] * a"
        transition: "t == a"
        """)
        #expect(file.rewardDependsOnMeanField)
        let snap = try game.snapshot(at: [0.25, 0.75])
        #expect(isApproximatelyEqual(snap.rewards, [-0.5, -0.5 + 2.25, -1.5, -1.5 + 2.25], absolute: 1e-14, relative: 1e-14))
        #expect(try isApproximatelyEqual(game.reward(1, 1, [0.9, 0.1]), -0.2 + 0.3, absolute: 0, relative: 1e-14))
    }

    // MARK: transitions

    /// The same kernel written in all five ways the format allows.
    static let kernelForms: [String] = [
        "transition: \"if(a == stay, (t == s), 0.25 * (t == 0) + 0.75 * (t == 1))\"",
        "transition:\n  expr: \"if(a == stay, 4 * (t == s), 1 * (t == 0) + 3 * (t == 1))\"\n  normalize: true",
        "transition:\n  table: [[[1, 0], [0.25, 0.75]], [[0, 1], [0.25, 0.75]]]",
        "parameters:\n  P: [[[1, 0], [0.25, 0.75]], [[0, 1], [0.25, 0.75]]]\ntransition:\n  table: P",
        "transition:\n  sparse: [[0, 0, 0, 1], [0, 1, 0, 0.25], [0, 1, 1, 0.75], [1, 0, 1, 1], [1, 1, 1, 0.75], [1, 1, 0, 0.25]]",
        "parameters:\n  E: [[0, 0, 0, 1], [0, 1, 0, 0.25], [0, 1, 1, 0.75], [1, 0, 1, 1], [1, 1, 0, 0.25], [1, 1, 1, 0.75], [1, 0, 0, 0]]\ntransition:\n  sparse: E",
    ]

    @Test(arguments: LoaderTests.kernelForms)
    func everyTransitionFormGivesTheSameKernel(_ form: String) throws {
        let (_, game) = try loadGame(Self.header + "reward: \"0\"\n" + form + "\n")
        #expect(!game.kernelsDependOnMeanField)
        for mu in [[0.5, 0.5], [0.1, 0.9]] {
            let snap = try game.snapshot(at: mu)
            #expect(isApproximatelyEqual(Self.row(snap, 0, 0), [1, 0], absolute: 1e-15, relative: 1e-15))
            #expect(isApproximatelyEqual(Self.row(snap, 0, 1), [0.25, 0.75], absolute: 1e-15, relative: 1e-15))
            #expect(isApproximatelyEqual(Self.row(snap, 1, 0), [0, 1], absolute: 1e-15, relative: 1e-15))
            #expect(isApproximatelyEqual(Self.row(snap, 1, 1), [0.25, 0.75], absolute: 1e-15, relative: 1e-15))
            // zero entries are dropped from the stored rows
            #expect(snap.kernels[snap.row(0, 0)].indices == [0])
        }
    }

    @Test func kernelMayDependOnTheMeanField() throws {
        let (_, game) = try loadGame(Self.header + """
        reward: "0"
        transition: "if(s == S, if(t == I, 0.5 * mu[I] * (1 + a), 1 - 0.5 * mu[I] * (1 + a)), if(t == S, 0.3, 0.7))"
        """)
        #expect(game.kernelsDependOnMeanField)
        let snap = try game.snapshot(at: [0.6, 0.4])
        #expect(isApproximatelyEqual(Self.row(snap, 0, 0), [0.8, 0.2], absolute: 1e-14, relative: 1e-14))
        #expect(isApproximatelyEqual(Self.row(snap, 0, 1), [0.6, 0.4], absolute: 1e-14, relative: 1e-14))
        #expect(isApproximatelyEqual(Self.row(snap, 1, 1), [0.3, 0.7], absolute: 1e-14, relative: 1e-14))
        let other = try game.snapshot(at: [1, 0])
        #expect(Self.row(other, 0, 1) == [1, 0])
    }

    @Test func normalizeDividesEachRowByItsSumAtEveryMeanField() throws {
        let (_, game) = try loadGame(Self.header + """
        reward: "0"
        transition:
          expr: "1 + mu[t] + a * t"
          normalize: true
        """)
        #expect(game.kernelsDependOnMeanField)
        let snap = try game.snapshot(at: [0.2, 0.8])
        #expect(isApproximatelyEqual(Self.row(snap, 0, 0), [1.2 / 3, 1.8 / 3], absolute: 1e-14, relative: 1e-14))
        #expect(isApproximatelyEqual(Self.row(snap, 1, 1), [1.2 / 4, 2.8 / 4], absolute: 1e-14, relative: 1e-14))
    }

    @Test func normalizeFalseIsThePlainExpression() throws {
        let (_, game) = try loadGame(Self.header + "reward: \"0\"\ntransition:\n  expr: \"t == a\"\n  normalize: false\n")
        let snap = try game.snapshot(at: [0.5, 0.5])
        #expect(Self.row(snap, 0, 1) == [0, 1])
    }

    /// Rows within 1e-9 of summing to 1 are accepted (Docs/Format.md).
    @Test func rowSumToleranceIsOneBillionth() throws {
        _ = try loadGame(Self.header + "reward: \"0\"\ntransition: \"(1 + 5e-10) * (t == a)\"\n")
        let error = loadError(Self.header + "reward: \"0\"\ntransition: \"(1 + 5e-9) * (t == a)\"\n")
        #expect(error?.field == "transition")
    }

    // MARK: ambiguity

    @Test func absentAmbiguityIsTheClassicalGame() throws {
        let (file, game) = try loadGame(Self.header + "reward: \"0\"\ntransition: \"t == a\"\n")
        #expect(file.set == .none && file.support == .simplex && file.radiusSource == "0")
        #expect(game.ambiguity.kind == .none)
        #expect(try game.snapshot(at: [0.5, 0.5]).radii == [0, 0, 0, 0])
    }

    @Test func radiusExpressionDependsOnStateActionAndMeanField() throws {
        let (file, game) = try loadGame(Self.header + """
        reward: "0"
        transition: "t == a"
        ambiguity:
          set: tv
          radius: "0.1 * s + 0.01 * a + 0.5 * mu[I] + 0.001 * (s == I and a == go)"
        """)
        #expect(file.set == .tv && game.ambiguity.kind == .tv)
        #expect(file.radiusSource.contains("mu[I]"))
        #expect(game.radiiDependOnMeanField)
        let snap = try game.snapshot(at: [0.6, 0.4])
        #expect(isApproximatelyEqual(snap.radii, [0.2, 0.21, 0.3, 0.311], absolute: 1e-14, relative: 1e-14))
        #expect(try isApproximatelyEqual(game.radius(1, 0, [0, 1]), 0.6, absolute: 0, relative: 1e-14))
    }

    @Test func constantRadiusIsFixed() throws {
        let (_, game) = try loadGame(Self.header + "reward: \"0\"\ntransition: \"t == a\"\nambiguity:\n  set: kl\n  radius: 0.05\n")
        #expect(!game.radiiDependOnMeanField)
        #expect(game.ambiguity.kind == .kl)
        #expect(try game.snapshot(at: [0.1, 0.9]).radii == [0.05, 0.05, 0.05, 0.05])
    }

    @Test(arguments: AmbiguityKind.allCases)
    func everySetNameIsAccepted(_ kind: AmbiguityKind) throws {
        let cost = kind == .wasserstein ? "\n  cost: \"abs(s - t)\"" : ""
        let (file, game) = try loadGame(Self.header + "reward: \"0\"\ntransition: \"0.5\"\nambiguity:\n  set: \(kind.rawValue)\n  radius: 0.1\(cost)\n")
        #expect(file.set == kind && game.ambiguity.kind == kind && file.ambiguitySet.kind == kind)
    }

    @Test func weightsAreEvaluatedPerNextState() throws {
        let (_, game) = try loadGame("""
        name: w
        states: 3
        actions: 1
        discount: 0.5
        parameters:
          w: [2, 0.5, 4]
        reward: "0"
        transition: "1 / states"
        ambiguity:
          set: l1
          radius: 0.1
          weights: "w[t] + t"
          support: nominal
        """)
        #expect(game.ambiguity.kind == .l1 && game.ambiguity.support == .nominal)
        #expect(game.ambiguity.weights == [2, 1.5, 6])
    }

    @Test func l1WithoutWeightsUsesOne() throws {
        let (_, game) = try loadGame(Self.header + "reward: \"0\"\ntransition: \"0.5\"\nambiguity:\n  set: l1\n  radius: 0.1\n")
        #expect(game.ambiguity.weights == nil || game.ambiguity.weights == [1, 1])
    }

    @Test func groundCostIsEvaluatedOnEveryPair() throws {
        let (file, game) = try loadGame("""
        name: c
        states: 3
        actions: 1
        discount: 0.5
        parameters:
          scale: 2
        reward: "0"
        transition: "1 / states"
        ambiguity:
          set: wasserstein
          radius: 0.2
          cost: "scale * abs(s - t) + (t > s)"
          support: simplex
        """)
        #expect(file.support == .simplex)
        let cost = try #require(game.ambiguity.cost)
        #expect(cost.count == 3)
        #expect(cost.entries == [0, 3, 5, 2, 0, 3, 4, 2, 0])
    }

    @Test func supportNominalIsKept() throws {
        let (file, game) = try loadGame(Self.header + "reward: \"0\"\ntransition: \"0.5\"\nambiguity:\n  set: linf\n  radius: 0.1\n  support: nominal\n")
        #expect(file.support == .nominal && game.ambiguity.support == .nominal)
    }

    // MARK: population, initial, solver

    @Test func defaultsWhenKeysAreAbsent() throws {
        let (file, _) = try loadGame(Self.header + "reward: \"0\"\ntransition: \"t == a\"\n")
        let o = file.equilibriumOptions
        #expect(file.population == .worstCase && o.population == .worstCase)
        #expect(file.initial == nil && o.initialMeanField == nil)
        #expect(o.method == .auto && o.temperature == 0 && o.damping == nil && o.learningRate == 1)
        #expect(o.tolerance == 1e-8 && o.maxIterations == 1000 && o.inner == .closedForm)
    }

    @Test func everySolverKeyPopulationAndInitial() throws {
        let (file, _) = try loadGame(Self.header + """
        reward: "0"
        transition: "t == a"
        population: nominal
        initial: [0.25, 0.75]
        solver:
          method: mirror-descent
          temperature: 0.3
          damping: 0.4
          learningRate: 0.2
          tolerance: 1e-7
          maxIterations: 77
          inner: lp
        """)
        let o = file.equilibriumOptions
        #expect(file.population == .nominal && o.population == .nominal)
        #expect(file.initial == [0.25, 0.75] && o.initialMeanField == [0.25, 0.75])
        #expect(o.method == .mirrorDescent && o.temperature == 0.3 && o.damping == 0.4)
        #expect(o.learningRate == 0.2 && o.tolerance == 1e-7 && o.maxIterations == 77 && o.inner == .lp)
        #expect(file.solver.method == .mirrorDescent && file.solver.maxIterations == 77)
    }

    @Test(arguments: EquilibriumMethod.allCases)
    func everyMethodNameIsAccepted(_ method: EquilibriumMethod) throws {
        let (file, _) = try loadGame(Self.header + "reward: \"0\"\ntransition: \"t == a\"\nsolver:\n  method: \(method.rawValue)\n")
        #expect(file.equilibriumOptions.method == method)
    }

    @Test func initialUniformAndWorstCaseSpelledOut() throws {
        let (file, _) = try loadGame(Self.header + "reward: \"0\"\ntransition: \"t == a\"\ninitial: uniform\npopulation: worst-case\nsolver:\n  inner: closed-form\n")
        #expect(file.initial == nil && file.population == .worstCase && file.solver.inner == .closedForm)
    }

    @Test func nullOptionalBlocksAreAbsent() throws {
        let text = (Self.header + "reward: \"0\"\ntransition: \"t == a\"\nparameters:\nambiguity:\nsolver:\ndescription:\n")
            .replacingOccurrences(of: "description: A hand-checkable game.\n", with: "")
        let (file, game) = try loadGame(text)
        #expect(file.summary == nil && file.set == .none && game.ambiguity.kind == .none)
    }

    // MARK: overrides

    static let overridable = Self.header + """
    reward: "0"
    transition: "0.5"
    ambiguity:
      set: tv
      radius: 0.1
    solver:
      temperature: 0.5

    """

    @Test func overridesReplaceTheFilesValues() throws {
        let overrides = GameOverrides(set: .wasserstein, radius: "0.2 * mu[s] + 0.01 * a", support: .nominal, temperature: 0.7,
                                      method: .fixedPoint, damping: 0.3, learningRate: 0.05, tolerance: 1e-6,
                                      maxIterations: 12, population: .nominal, inner: .lp)
        let (file, game) = try loadGame(Self.overridable.replacingOccurrences(of: "  radius: 0.1", with: "  radius: 0.1\n  cost: \"abs(s - t)\""),
                                        overrides: overrides)
        #expect(file.set == .wasserstein && file.support == .nominal && file.population == .nominal)
        #expect(file.radiusSource == "0.2 * mu[s] + 0.01 * a")
        let snap = try game.snapshot(at: [0.5, 0.5])
        #expect(isApproximatelyEqual(snap.radii, [0.1, 0.11, 0.1, 0.11], absolute: 1e-14, relative: 1e-14))
        let o = file.equilibriumOptions
        #expect(o.temperature == 0.7 && o.method == .fixedPoint && o.damping == 0.3 && o.learningRate == 0.05)
        #expect(o.tolerance == 1e-6 && o.maxIterations == 12 && o.population == .nominal && o.inner == .lp)
    }

    /// The shard identity of the overrides: set and radius left out, the rest in a fixed order.
    @Test func solverKeyIsCanonical() {
        #expect(GameOverrides().solverKey == "")
        let o = GameOverrides(set: .kl, radius: "0.1", support: .nominal, temperature: 0.5, method: .fixedPoint,
                              maxIterations: 7, population: .nominal, inner: .lp)
        #expect(o.solverKey == "support=nominal;temperature=0.5;method=fixed-point;maxIterations=7;population=nominal;inner=lp")
    }

    @Test func overridesCreateMissingBlocks() throws {
        let (file, game) = try loadGame(Self.header + "reward: \"0\"\ntransition: \"0.5\"\n",
                                        overrides: GameOverrides(set: .chi2, radius: "0.3", tolerance: 1e-5))
        #expect(file.set == .chi2 && game.ambiguity.kind == .chi2)
        #expect(try game.snapshot(at: [0.5, 0.5]).radii == [0.3, 0.3, 0.3, 0.3])
        #expect(file.equilibriumOptions.tolerance == 1e-5)
    }

    @Test func overrideToNoneDropsTheRobustness() throws {
        let (file, game) = try loadGame(Self.overridable, overrides: GameOverrides(set: AmbiguityKind.none))
        #expect(file.set == .none && game.ambiguity.kind == .none)
    }

    /// Overridden values are checked like the file's own and named by the field they replace
    /// (the choices are typed, so only values and the set's own requirements can be wrong).
    @Test func invalidOverridesNameTheirField() {
        let cases: [(GameOverrides, String)] = [
            (GameOverrides(radius: "-1"), "ambiguity.radius"),
            (GameOverrides(radius: "mu[t]"), "ambiguity.radius"),
            (GameOverrides(temperature: -1), "solver.temperature"),
            (GameOverrides(damping: 2), "solver.damping"),
            (GameOverrides(learningRate: 0), "solver.learningRate"),
            (GameOverrides(tolerance: 0), "solver.tolerance"),
            (GameOverrides(maxIterations: 0), "solver.maxIterations"),
            (GameOverrides(set: .wasserstein), "ambiguity.cost"),
        ]
        for (overrides, field) in cases {
            let error = loadError(Self.overridable, overrides: overrides)
            #expect(error?.field == field, "\(overrides): \(String(describing: error))")
        }
    }

    // MARK: JSON and YAML

    static let yamlVersion = """
    name: same
    states: [low, high]
    actions: [a0, a1]
    discount: 0.8
    parameters:
      u: [1, 0.5]
      M: [[0.9, 0.1], [0.2, 0.8]]
    reward: "u[s] - 2 * mu[s] - 0.1 * a"
    transition:
      expr: "if(a == a0, M[s][t], 1 + (t == s))"
      normalize: true
    ambiguity:
      set: l1
      radius: "0.05 + 0.1 * mu[s]"
      weights: "1 + t"
      support: nominal
    population: nominal
    initial: [0.4, 0.6]
    solver:
      method: anderson
      temperature: 0.2
      damping: 0.9
      learningRate: 0.5
      tolerance: 1e-9
      maxIterations: 300
      inner: closed-form
    """

    static let jsonVersion = """
    {"name": "same", "states": ["low", "high"], "actions": ["a0", "a1"], "discount": 0.8,
     "parameters": {"u": [1, 0.5], "M": [[0.9, 0.1], [0.2, 0.8]]},
     "reward": "u[s] - 2 * mu[s] - 0.1 * a",
     "transition": {"expr": "if(a == a0, M[s][t], 1 + (t == s))", "normalize": true},
     "ambiguity": {"set": "l1", "radius": "0.05 + 0.1 * mu[s]", "weights": "1 + t", "support": "nominal"},
     "population": "nominal", "initial": [0.4, 0.6],
     "solver": {"method": "anderson", "temperature": 0.2, "damping": 0.9, "learningRate": 0.5,
                "tolerance": 1e-9, "maxIterations": 300, "inner": "closed-form"}}
    """

    @Test func jsonAndYamlGiveTheSameGame() throws {
        let (yf, yg) = try loadGame(Self.yamlVersion)
        let (jf, jg) = try loadGame(Self.jsonVersion, json: true)
        #expect(yf.stateNames == jf.stateNames && yf.actionNames == jf.actionNames && yf.discount == jf.discount)
        #expect(yf.set == jf.set && yf.support == jf.support && yf.population == jf.population && yf.initial == jf.initial)
        #expect(yf.solver == jf.solver)
        #expect(yg.ambiguity == jg.ambiguity)
        for mu in [[0.5, 0.5], [0.1, 0.9], [1, 0]] {
            let y = try yg.snapshot(at: mu), j = try jg.snapshot(at: mu)
            #expect(y.rewards == j.rewards && y.kernels == j.kernels && y.radii == j.radii)
        }
        let snap = try yg.snapshot(at: [0.5, 0.5])
        #expect(isApproximatelyEqual(Self.row(snap, 1, 0), [0.2, 0.8], absolute: 1e-15, relative: 1e-15))
        #expect(isApproximatelyEqual(Self.row(snap, 1, 1), [1.0 / 3, 2.0 / 3], absolute: 1e-15, relative: 1e-15))
        let ry = try yg.solveEquilibrium(options: yf.equilibriumOptions)
        let rj = try jg.solveEquilibrium(options: jf.equilibriumOptions)
        #expect(ry.converged && rj.converged)
        #expect(ry.meanField == rj.meanField)
    }

    /// `load(path:)` picks JSON by the extension; the bundled JSON example and a
    /// YAML transcription of it are the same game.
    @Test func bundledJsonExampleMatchesItsYamlTranscription() throws {
        let json = try GameFile.load(path: Paths.example("two-state.json"))
        let yaml = try GameFile.parse(text: """
        name: two-state
        states: [nice, plain]
        actions: [go_nice, go_plain]
        discount: 0.8
        parameters: {u: [1.0, 0.5], kappa: 2.0, switch: 0.05, slip: 0.1}
        reward: "u[s] - kappa * mu[s] - switch * (a != s)"
        transition: {expr: "(1 - slip) * (t == a) + slip * (t == s)", normalize: false}
        ambiguity: {set: tv, radius: "0.02 + 0.05 * mu[s]", support: simplex}
        population: worst-case
        initial: [0.5, 0.5]
        solver: {method: fixed-point, temperature: 0.3, damping: 0.5, tolerance: 1e-9, maxIterations: 500, inner: closed-form}
        """, path: "two-state.yaml")
        #expect(json.solver == yaml.solver && json.initial == yaml.initial && json.set == yaml.set)
        let jg = try json.makeGame(), yg = try yaml.makeGame()
        for mu in [[0.5, 0.5], [0.8, 0.2]] {
            let j = try jg.snapshot(at: mu), y = try yg.snapshot(at: mu)
            #expect(j.rewards == y.rewards && j.kernels == y.kernels && j.radii == y.radii)
        }
    }

    /// JSON `0` and `1` are numbers, not booleans.
    @Test func jsonZeroAndOneAreNumbers() throws {
        let (file, game) = try loadGame("""
        {"name": "n", "states": 1, "actions": 1, "discount": 0, "reward": 1, "transition": 1,
         "solver": {"maxIterations": 1, "temperature": 0, "damping": 1}}
        """, json: true)
        #expect(file.stateCount == 1 && file.discount == 0 && file.solver.maxIterations == 1 && file.solver.damping == 1)
        #expect(try game.snapshot(at: [1]).rewards == [1])
    }

    @Test func jsonBooleansAreBooleans() throws {
        let error = loadError("""
        {"name": "n", "states": true, "actions": 1, "discount": 0, "reward": 1, "transition": 1}
        """, json: true)
        #expect(error?.field == "states")
        #expect(error?.message.contains("boolean") == true)
    }

    /// YAML numbers: scientific notation, a leading `+`, and quoted numbers as text.
    @Test func yamlNumberForms() throws {
        let (file, _) = try loadGame(Self.header + "reward: 2.5e-1\ntransition: \"t == a\"\nsolver:\n  tolerance: 1e-10\n  temperature: +0.5\n")
        #expect(file.solver.tolerance == 1e-10 && file.solver.temperature == 0.5)
        let quoted = loadError(Self.header.replacingOccurrences(of: "discount: 0.75", with: "discount: \"0.75\"")
                               + "reward: \"0\"\ntransition: \"t == a\"\n")
        #expect(quoted?.field == "discount")
    }

    // MARK: a fully hand-checked solve

    /// Two states, action `a` moves to state `a`; reward `u_s − κ μ(s)` with τ > 0:
    /// the equilibrium can be checked by hand. With `π = BR(μ)` independent of s
    /// (the reward depends on the next state only through V), `μ*(0) = π(0)`.
    @Test func tinyGameEquilibriumIsConsistent() throws {
        let (file, game) = try loadGame("""
        name: tiny-eq
        states: 2
        actions: 2
        discount: 0.5
        reward: "if(s == 0, 1, 0) - mu[s]"
        transition: "t == a"
        solver:
          temperature: 1
          tolerance: 1e-12
        """)
        let result = try game.solveEquilibrium(options: file.equilibriumOptions)
        #expect(result.converged)
        let mu = result.meanField
        // Values: V(s) = r(s) + τ log Σ_a exp(γ V(a)/τ) = r(s) + c, so π(a) ∝ exp(γ r(a)).
        let r = [1 - mu[0], -mu[1]]
        let p0 = 1 / (1 + exp(0.5 * (r[1] - r[0])))
        #expect(abs(mu[0] - p0) < 1e-10)
        #expect(abs(result.policy[0, 0] - p0) < 1e-10 && abs(result.policy[1, 0] - p0) < 1e-10)
    }
}
