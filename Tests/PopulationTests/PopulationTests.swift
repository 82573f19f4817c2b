import Ambiguity
import Foundation
import GameFiles
import MeanField
import Population
import Randomness
import Testing
import TestSupport

/// A bundled example with its solved mean-field equilibrium.
struct Solved {
    let file: GameFile
    let game: MeanFieldGame
    let result: EquilibriumResult

    init(_ name: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        file = try GameFile.load(path: root.appendingPathComponent("Examples/\(name)").path)
        game = try file.makeGame()
        result = try game.solveEquilibrium(options: file.equilibriumOptions)
    }

    func population(_ model: TrueModel = .worstCase) throws -> FinitePopulation {
        try FinitePopulation(game: game, meanField: result.meanField, policy: result.policy,
                             temperature: file.solver.temperature, trueModel: model)
    }
}

@Suite struct SamplingTests {
    @Test func binomialMomentsMatchForSmallAndLargeCounts() {
        for (n, p) in [(7, 0.3), (10_000, 0.37), (200, 0.999)] {
            var r = SplitMix64(seed: 11, streams: n)
            let draws = (0..<4000).map { _ in Double(Sampling.binomial(count: n, probability: p, uniform: r.openUnit())) }
            let mean = draws.reduce(0, +) / 4000
            let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 3999
            let sd = (Double(n) * p * (1 - p)).squareRoot()
            #expect(abs(mean - Double(n) * p) <= 5 * sd / 4000.0.squareRoot(), "n \(n) p \(p) mean \(mean)")
            #expect(abs(variance / (sd * sd) - 1) < 0.1, "n \(n) p \(p) variance \(variance)")
        }
        // Inversion is monotone in the uniform and in the count.
        #expect(Sampling.binomial(count: 50, probability: 0.4, uniform: 0.2) <= Sampling.binomial(count: 50, probability: 0.4, uniform: 0.8))
        #expect(Sampling.binomial(count: 50, probability: 0.4, uniform: 0.5) <= Sampling.binomial(count: 51, probability: 0.4, uniform: 0.5))
    }
}

@Suite struct SimulatorTests {
    @Test func empiricalDistributionConvergesToTheMeanField() throws {
        let sis = try Solved("sis-epidemic.yaml")
        let pop = try sis.population()
        let small = try pop.simulate(agents: 100, steps: 30, seed: 3)
        let large = try pop.simulate(agents: 10_000, steps: 30, seed: 3)
        #expect(large.distributions.count == 31)
        #expect(large.meanError < 0.03, "mean ‖μ^N − μ*‖₁ = \(large.meanError)")
        #expect(large.meanError < small.meanError / 3)
        // Deterministic for a seed.
        #expect(try pop.simulate(agents: 100, steps: 30, seed: 3).distributions == small.distributions)
    }

    @Test func oneStepMatchesThePopulationUpdateInExpectation() throws {
        let sis = try Solved("sis-epidemic.yaml")
        for model in [TrueModel.worstCase, .nominal] {
            let pop = try sis.population(model)
            let start = [700, 300]
            let phi = try sis.game.populationUpdate(meanField: [0.7, 0.3], policy: sis.result.policy,
                                                   temperature: sis.file.solver.temperature,
                                                   population: model == .worstCase ? .worstCase : .nominal)
            let replications = 400
            var values: [Double] = []
            for k in 0..<replications {
                var r = SplitMix64(seed: 5, streams: k)
                let next = try pop.step(counts: start, random: &r)
                #expect(next.reduce(0, +) == 1000)
                values.append(Double(next[1]) / 1000)
            }
            let mean = values.reduce(0, +) / Double(replications)
            let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(replications - 1)).squareRoot()
            #expect(abs(mean - phi[1]) <= 4 * sd / Double(replications).squareRoot(),
                    "\(model): mean μ1(I) \(mean), Φ(μ)(I) \(phi[1])")
        }
    }

    /// The typed field of the invalid-argument error `body` throws (nil otherwise).
    static func field(_ body: () throws -> Void) -> PopulationError.Field? {
        do { try body() } catch let error as PopulationError {
            if case let .invalidArgument(field, _) = error { return field }
        } catch {}
        return nil
    }

    @Test func invalidArgumentsAreNamed() throws {
        let pop = try Solved("sis-epidemic.yaml").population()
        #expect(throws: PopulationError.invalidArgument(field: .steps, message: "-1, expected at least 0")) {
            try pop.simulate(agents: 10, steps: -1, seed: 1)
        }
        var r = SplitMix64(seed: 1)
        #expect(Self.field { try pop.step(counts: [1, 2, 3], random: &r) } == .counts)
        #expect(Self.field { try pop.deviationGain(agents: 0, episodes: 10, steps: 5, seed: 1) } == .agents)
        #expect(Self.field { try pop.deviationGain(agents: 5, episodes: 1, steps: 5, seed: 1) } == .episodes)
        #expect(throws: PopulationError.self) { try Solved("lasry-lions.yaml").population().exactTwoState(agents: 5, steps: 5) }
    }
}

@Suite struct ExactTwoStateTests {
    /// Robust values of the tagged agent (agent 0) over all 2^N joint states, by robust value
    /// iteration with every other agent moving independently.
    func bruteForce(_ sis: Solved, agents N: Int, deviating: Bool) throws -> [Int: Double] {
        let game = sis.game, tau = sis.file.solver.temperature, pi = sis.result.policy
        let m = game.actionCount, gamma = game.discount
        let states = 1 << N
        func bit(_ x: Int, _ i: Int) -> Int { (x >> i) & 1 }
        var mu: [[Double]] = [], snaps: [GameSnapshot] = [], up: [[Double]] = [], tagged: [[Double]] = []
        for x in 0..<states {
            let ones = (0..<N).reduce(0) { $0 + bit(x, $1) }
            let m1 = Double(ones) / Double(N)
            let mf = [1 - m1, m1]
            mu.append(mf)
            snaps.append(try game.snapshot(at: mf))
            let k = try game.policyValues(policy: pi, meanField: mf, temperature: tau).worstCaseKernels
            up.append((0..<2).map { s in (0..<m).reduce(0.0) { $0 + pi[s, $1] * k[s * m + $1].dense(count: 2)[1] } })
            let br = try game.bestResponse(meanField: mf, temperature: tau)
            let s0 = bit(x, 0)
            tagged.append((0..<m).map { deviating ? br[s0, $0] : pi[s0, $0] })
        }
        var w = [Double](repeating: 0, count: states)
        for _ in 0..<400 {
            var next = w
            for x in 0..<states {
                var wHat = [0.0, 0.0]
                for y in 0..<states where true {
                    var p = 1.0
                    for i in 1..<N {
                        let q1 = up[x][bit(x, i)]
                        p *= bit(y, i) == 1 ? q1 : 1 - q1
                    }
                    wHat[bit(y, 0)] += p * w[y]
                }
                let s = bit(x, 0)
                var v = 0.0
                for a in 0..<m where tagged[x][a] > 0 {
                    let i = s * m + a
                    let sigma = try game.ambiguity.worstCase(nominal: snaps[x].kernels[i].dense(count: 2), values: wHat,
                                                            radius: snaps[x].radii[i]).value
                    v += tagged[x][a] * (snaps[x].rewards[i] - tau * log(tagged[x][a]) + gamma * sigma)
                }
                next[x] = v
            }
            w = next
        }
        var byState: [Int: Double] = [:]
        for x in 0..<states {
            let k = (1..<N).reduce(0) { $0 + bit(x, $1) }
            let key = bit(x, 0) * N + k
            if let old = byState[key] { #expect(isApproximatelyEqual(old, w[x], absolute: 0, relative: 1e-9), "exchangeability broken at \(x)") }
            byState[key] = w[x]
        }
        return byState
    }

    @Test(arguments: [2, 3, 4])
    func matchesBruteForceEnumeration(agents: Int) throws {
        let sis = try Solved("sis-epidemic.yaml")
        let exact = try sis.population().exactTwoState(agents: agents, steps: 10)
        for deviating in [false, true] {
            let brute = try bruteForce(sis, agents: agents, deviating: deviating)
            for (key, value) in brute {
                let v = exact.values(state: key / agents, othersInStateOne: key % agents)
                let mine = deviating ? v.deviation : v.baseline
                #expect(isApproximatelyEqual(mine, value, absolute: 0, relative: 1e-8), "N \(agents) z \(key) deviating \(deviating): \(mine) vs \(value)")
            }
        }
        #expect(exact.optimalGain >= exact.deviationGain - 1e-10)
        #expect(exact.optimalGain >= -1e-10)
    }

    @Test func monteCarloAgreesWithTheExactGain() throws {
        let sis = try Solved("sis-epidemic.yaml")
        let pop = try sis.population()
        for agents in [10, 25] {
            let exact = try pop.exactTwoState(agents: agents, steps: 40)
            let mc = try pop.deviationGain(agents: agents, episodes: 300, steps: 40, seed: 2, nature: .exact(exact))
            #expect(mc.nature == .exact && mc.nature.rawValue == "exact")
            #expect(mc.gainLow <= exact.truncatedGain && exact.truncatedGain <= mc.gainHigh,
                    "N \(agents): MC \(mc.gain) [\(mc.gainLow), \(mc.gainHigh)], exact \(exact.truncatedGain)")
            #expect(mc.standardError < 0.25 * abs(exact.truncatedGain), "interval too wide: \(mc.standardError)")
            #expect(abs(exact.deviationGain - exact.truncatedGain) <= mc.truncationBound)
        }
    }
}

@Suite struct GainScalingTests {
    @Test func exactGainDecreasesOnTheEpidemic() throws {
        let sis = try Solved("sis-epidemic.yaml")
        let pop = try sis.population()
        let constants = try pop.lipschitzConstants(samples: 8)
        let sizes = [10, 40, 160]
        var gains: [Double] = []
        for n in sizes {
            let e = try pop.exactTwoState(agents: n, steps: 50)
            gains.append(e.optimalGain)
            let bound = try #require(pop.boundEstimate(agents: n, constants: constants))
            #expect(bound >= e.optimalGain, "N \(n): bound \(bound) below the exact gain \(e.optimalGain)")
        }
        #expect(gains[0] > gains[1] && gains[1] > gains[2], "\(gains)")
        let slope = try #require(LogLogFit.fit(x: sizes.map(Double.init), y: gains)).slope
        // Measured: about −1.1 (the gain of a smooth deviation is second order in μ^N − μ*).
        #expect(slope > -1.5 && slope < -0.25, "slope \(slope)")
    }

    /// On the two-location game the gain is not monotone at small N (measured: the BR-to-μ^N
    /// deviation loses at N = 10); checked here: MC against exact, and the bound above both.
    @Test func twoLocationGameMonteCarloExactAndBound() throws {
        let two = try Solved("two-state.json")
        let pop = try two.population()
        let constants = try pop.lipschitzConstants(samples: 8)
        for n in [10, 40] {
            let exact = try pop.exactTwoState(agents: n, steps: 30)
            // N = 10 is heavy-tailed (rare divergences): 150 episodes missed by 2.2 SE at this seed, 1500 agree to 5e-4.
            let mc = try pop.deviationGain(agents: n, episodes: n == 10 ? 800 : 150, steps: 30, seed: 4, nature: .exact(exact))
            #expect(mc.gainLow <= exact.truncatedGain && exact.truncatedGain <= mc.gainHigh,
                    "N \(n): MC [\(mc.gainLow), \(mc.gainHigh)], exact \(exact.truncatedGain)")
            let bound = try #require(pop.boundEstimate(agents: n, constants: constants))
            #expect(bound >= mc.gainHigh && bound >= exact.optimalGain, "N \(n): bound \(bound)")
        }
    }

    @Test func slopeOfAPowerLaw() throws {
        let x = [10.0, 100, 1000]
        let fit = try #require(LogLogFit.fit(x: x, y: x.map { 3 / $0.squareRoot() }))
        #expect(isApproximatelyEqual(fit.slope, -0.5, absolute: 0, relative: 1e-12))
        let interval = try #require(fit.slopeInterval)
        #expect(interval.contains(-0.5) && interval.upperBound - interval.lowerBound < 1e-9)
        #expect(LogLogFit.fit(x: x, y: [-1, -2, 0.5]) == nil)
        // Issue 19: a slope needs at least 3 positive points (two.state printed one from 2).
        #expect(LogLogFit.fit(x: x, y: [1, 0.5, -0.1]) == nil)
        #expect(LogLogFit.fit(x: [10, 100], y: [1, 0.5]) == nil)
    }
}
