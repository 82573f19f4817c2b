import Foundation
import Testing
import TestSupport

/// `rmfg evaluate GAME --policy FILE --mean-field FILE`.
@Suite("rmfg evaluate")
struct EvaluateCommandTests {
    /// Two states A, B; `stay` keeps the state, `move` switches; reward `u_s − κ μ(s)`
    /// with `u = (0, 1)`, `κ = 0.5`, `γ = 0.8`, `τ = 0`, non-robust.
    static let game = """
    name: hand
    states: [A, B]
    actions: [stay, move]
    discount: 0.8
    parameters:
      u: [0, 1]
      kappa: 0.5
    reward: "u[s] - kappa * mu[s]"
    transition: "if(a == stay, t == s, t != s)"
    ambiguity:
      set: none
    population: nominal
    solver:
      temperature: 0
    """

    /// By hand, for π = always stay and μ = (1/2, 1/2): r(A) = −1/4, r(B) = 3/4, so
    /// V^π = (−1.25, 3.75); V*(B) = 3.75 (stay), V*(A) = −1/4 + 0.8·3.75 = 2.75 (move);
    /// exploitability ½(2.75 + 1.25) = 2; Φ(μ, π) = μ, residual 0; BR = (move, stay).
    @Test func handComputedTwoStatePair() throws {
        let dir = try ScratchFolder()
        let g = try dir.write("hand.yaml", Self.game)
        let policy = try dir.write("pi.csv", "1, 0\n1, 0\n")
        let mu = try dir.write("mu.json", "[0.5, 0.5]")
        let r = try rmfg(["evaluate", g, "--policy", policy, "--mean-field", mu, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        #expect(isApproximatelyEqual(number(j, "exploitability") ?? .nan, 2, absolute: 1e-10, relative: 1e-10))
        #expect(abs(number(j, "stationarityResidual") ?? .nan) <= 1e-15)
        #expect(isApproximatelyEqual(numbers(j, "value") ?? [], [-1.25, 3.75], absolute: 1e-10, relative: 1e-10))
        #expect(isApproximatelyEqual(numbers(j, "optimalValue") ?? [], [2.75, 3.75], absolute: 1e-10, relative: 1e-10))
        let br = (j["bestResponse"] as? [[Any]])?.map { $0.compactMap { ($0 as? NSNumber)?.doubleValue } }
        #expect(br == [[0, 1], [1, 0]])
        let text = try rmfg(["evaluate", g, "--policy", policy, "--mean-field", mu])
        #expect(text.status == 0 && text.stdout.contains("exploitability        2.000e+00"))
    }

    /// The pair `rmfg solve --output` writes, read back from its CSV and JSON files,
    /// has the exploitability and residual that `solve` printed (an independent
    /// recomputation from the files), for τ = 0 and τ > 0 and a robust worst-case game.
    @Test(arguments: [["--temperature", "0"], ["--temperature", "0.3", "--set", "tv", "--radius", "0.1"]])
    func solveOutputEvaluatesToItsPrintedNumbers(flags: [String]) throws {
        let dir = try ScratchFolder()
        let g = try dir.write("game.yaml", twoStateGame)
        let out = dir.path("out")
        let solved = try rmfg(["solve", g, "--quiet", "--format", "json", "--output", out] + flags)
        #expect(solved.status == 0, "\(solved.stderr)")
        let s = try solved.json()
        for (policy, mu) in [("policy.csv", "meanfield.csv"), ("result.json", "result.json")] {
            let r = try rmfg(["evaluate", g, "--policy", out + "/" + policy, "--mean-field", out + "/" + mu,
                              "--format", "json"] + flags)
            #expect(r.status == 0, "\(r.stderr)")
            let e = try r.json()
            #expect(abs((number(e, "exploitability") ?? .nan) - (number(s, "exploitability") ?? .nan)) <= 1e-12)
            #expect(abs((number(e, "stationarityResidual") ?? .nan) - (number(s, "stationarityResidual") ?? .nan)) <= 1e-12)
            #expect(isApproximatelyEqual(numbers(e, "value") ?? [], numbers(s, "value") ?? [], absolute: 1e-10, relative: 1e-10))
        }
    }

    @Test func npyInputs() throws {
        let dir = try ScratchFolder()
        let g = try dir.write("hand.yaml", Self.game)
        let p = dir.path("pi.npy"), m = dir.path("mu.npy")
        try npyFloat64([1, 0, 1, 0], shape: "(2, 2)").write(to: URL(fileURLWithPath: p))
        try npyFloat64([0.5, 0.5]).write(to: URL(fileURLWithPath: m))
        let r = try rmfg(["evaluate", g, "--policy", p, "--mean-field", m, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(isApproximatelyEqual(number(try r.json(), "exploitability") ?? .nan, 2, absolute: 1e-10, relative: 1e-10))
    }

    /// Exit 2, nothing on standard output, one line naming the file and the problem.
    @Test func badPairsAreInputErrors() throws {
        let dir = try ScratchFolder()
        let g = try dir.write("hand.yaml", Self.game)
        let goodPolicy = try dir.write("pi.csv", "1, 0\n1, 0\n")
        let goodMu = try dir.write("mu.csv", "0.5, 0.5\n")
        let cases: [(policy: String, mu: String, mention: String)] = [
            ("1, 0, 0\n1, 0, 0\n", "0.5, 0.5", "expected 2 x 2"),
            ("1, 0\n", "0.5, 0.5", "expected 2 x 2"),
            ("0.9, 0\n1, 0\n", "0.5, 0.5", "row 0 sums to 0.9"),
            ("1.5, -0.5\n1, 0\n", "0.5, 0.5", "expected a finite number >= 0"),
            ("1, 0\n0.5, y\n", "0.5, 0.5", "is not a number"),
            ("1, 0\n1, 0\n", "0.5, 0.6", "entries sum to 1.1"),
            ("1, 0\n1, 0\n", "1.5, -0.5", "entry 1 is -0.5"),
            ("1, 0\n1, 0\n", "0.2, 0.3, 0.5", "expected a vector of 2 entries"),
        ]
        for (i, c) in cases.enumerated() {
            let p = try dir.write("p\(i).csv", c.policy), m = try dir.write("m\(i).csv", c.mu)
            try expectInputError(["evaluate", g, "--policy", p, "--mean-field", m], mentioning: c.mention)
        }
        try expectInputError(["evaluate", g, "--policy", dir.path("missing.csv"), "--mean-field", goodMu], mentioning: "missing.csv")
        let badJSON = try dir.write("bad.json", "{\"meanField\": [0.5, ")
        try expectInputError(["evaluate", g, "--policy", goodPolicy, "--mean-field", badJSON], mentioning: "invalid JSON")
        let noKey = try dir.write("nokey.json", "{\"mu\": [0.5, 0.5]}")
        try expectInputError(["evaluate", g, "--policy", goodPolicy, "--mean-field", noKey], mentioning: "without the key \"meanField\"")
    }
}
