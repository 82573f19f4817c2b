import Foundation
import Testing
import TestSupport

/// A subset of the regime matrix (scripts/regime-matrix.py, Docs/Solvers.md): the default
/// method at τ = 0 and small τ, where the former default (fictitious play at τ = 0, Anderson
/// alone for τ > 0) did not converge. Each run is checked from its own output: the
/// exploitability and residual recomputed by `rmfg evaluate` from the written pair.
@Suite("regime matrix subset")
struct RegimeMatrixTests {
    static func example(_ name: String) -> String { repositoryRoot.appendingPathComponent("Examples/" + name).path }

    @Test(arguments: [
        ("bench-mfg/lasry-lions.yaml", "0", ["mirror-descent"]),
        ("lasry-lions.yaml", "0.01", ["anderson", "mirror-descent"]),
        ("sis-epidemic.yaml", "0", ["mirror-descent"]),
        ("guide/restaurants.yaml", "0", ["mirror-descent"]),
    ])
    func defaultConverges(file: String, tau: String, methods: [String]) throws {
        let dir = try ScratchFolder()
        let flags = ["--temperature", tau, "--set", "none", "--population", "nominal", "--max-iterations", "5000"]
        let r = try rmfg(["solve", Self.example(file), "--method", "auto", "--quiet", "--format", "json",
                          "--output", dir.path("out")] + flags)
        #expect(r.status == 0, "\(file) τ = \(tau): \(r.stderr)")
        let j = try r.json()
        #expect((number(j, "exploitability") ?? .nan) <= 1e-8)
        #expect((number(j, "stationarityResidual") ?? .nan) <= 1e-8)
        // The trace names the method of every iteration, in the order they ran; the
        // result's method is the last one.
        let trace = try #require(j["trace"] as? [[String: Any]])
        var ran: [String] = []
        for record in trace {
            let m = try #require(record["method"] as? String)
            if ran.last != m { ran.append(m) }
        }
        #expect(ran == methods, "\(file) τ = \(tau)")
        #expect(j["method"] as? String == methods.last)
        let e = try rmfg(["evaluate", Self.example(file), "--policy", dir.path("out/policy.csv"),
                          "--mean-field", dir.path("out/meanfield.csv"), "--format", "json"] + flags)
        let check = try e.json()
        #expect((number(check, "exploitability") ?? .nan) <= 1e-8)
        #expect((number(check, "stationarityResidual") ?? .nan) <= 1e-8)
    }

    /// The whole hand-over chain of `auto` (Docs/Solvers.md): Anderson stalls (τ > 0),
    /// adaptive mirror descent takes over and stalls where nature's worst case switches
    /// between the tied restaurants, and fictitious play finishes. The trace records the
    /// three phases in order, and `rmfg evaluate` confirms
    /// the returned pair.
    @Test func autoHandsOverToFictitiousPlay() throws {
        let dir = try ScratchFolder()
        let flags = ["--temperature", "0.001", "--set", "tv", "--radius", "0.05", "--population", "worst-case",
                     "--max-iterations", "5000"]
        let game = Self.example("guide/restaurants.yaml")
        let r = try rmfg(["solve", game, "--quiet", "--format", "json", "--output", dir.path("out")] + flags)
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        let trace = try #require(j["trace"] as? [[String: Any]])
        var ran: [String] = []
        var firstOf: [String: Int] = [:]
        for (k, record) in trace.enumerated() {
            let m = try #require(record["method"] as? String)
            if ran.last != m {
                ran.append(m)
                firstOf[m] = k
            }
        }
        #expect(ran == ["anderson", "mirror-descent", "fictitious-play"])
        #expect(j["method"] as? String == "fictitious-play")
        // Anderson gets at most min(200, maxIterations/2) iterations; mirror descent at least
        // its stall limit (500) before fictitious play.
        #expect((firstOf["mirror-descent"] ?? 0) <= 200)
        #expect((firstOf["fictitious-play"] ?? 0) - (firstOf["mirror-descent"] ?? 0) >= 500)
        #expect((number(j, "exploitability") ?? .nan) <= 1e-8)
        #expect((number(j, "stationarityResidual") ?? .nan) <= 1e-8)
        let e = try rmfg(["evaluate", game, "--policy", dir.path("out/policy.csv"),
                          "--mean-field", dir.path("out/meanfield.csv"), "--format", "json"] + flags)
        let check = try e.json()
        #expect((number(check, "exploitability") ?? .nan) <= 1e-8)
        #expect((number(check, "stationarityResidual") ?? .nan) <= 1e-8)
    }
}
