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
}
