// GarnetSolve: build a benchmark garnet (see Sources/Garnet) and solve its stationary
// robust mean-field equilibrium, printing one JSON object. Used by compare.py.
//
//   GarnetSolve [--states 200] [--actions 5] [--branching 10] [--seed 1] [--radius 0.1]
//               [--temperature 0.2] [--discount 0.9] [--congestion 0.5] [--tolerance 1e-9]
//               [--method auto|anderson|fixed-point|fictitious-play|mirror-descent]
//               [--damping α] [--max-iterations 1000] [--execution automatic|serial|parallel]
//               [--inner closed-form|lp] [--repeat 1] [--mean-field]
//
// `seconds` is the median wall time of the `--repeat` solves (game construction excluded;
// `buildSeconds` reports it separately). With `--inner lp` it also prints the LP path's
// counters (`lpPath`: row solves, warm solves, pivots per warm re-solve, builds).

import Foundation
import Garnet
import MeanField

func parse() -> (options: [String: String], flags: Set<String>) {
    var options: [String: String] = [:]
    var flags: Set<String> = []
    var args = CommandLine.arguments.dropFirst()
    while let a = args.popFirst() {
        guard a.hasPrefix("--") else { FileHandle.standardError.write(Data("unexpected argument \(a)\n".utf8)); exit(2) }
        let key = String(a.dropFirst(2))
        if key == "mean-field" { flags.insert(key); continue }
        guard let v = args.popFirst() else { FileHandle.standardError.write(Data("missing value for \(a)\n".utf8)); exit(2) }
        options[key] = v
    }
    return (options, flags)
}
let (options, flags) = parse()
func int(_ k: String, _ d: Int) -> Int { options[k].flatMap { Int($0) } ?? d }
func double(_ k: String, _ d: Double) -> Double { options[k].flatMap { Double($0) } ?? d }

let states = int("states", 200), actions = int("actions", 5), branching = int("branching", 10)
let seed = UInt64(int("seed", 1))
let (garnet, buildSeconds): (Garnet, Double) = seconds {
    Garnet(states: states, actions: actions, branching: branching, seed: seed)
}
let game = try garnet.game(radius: double("radius", 0.1), discount: double("discount", 0.9),
                           congestion: double("congestion", 0.5))
var eq = EquilibriumOptions()
eq.temperature = double("temperature", 0.2)
eq.tolerance = double("tolerance", 1e-9)
eq.maxIterations = int("max-iterations", 1000)
if let m = options["method"] {
    guard let method = EquilibriumMethod(rawValue: m) else { FileHandle.standardError.write(Data("unknown method \(m)\n".utf8)); exit(2) }
    eq.method = method
}
if let d = options["damping"], let alpha = Double(d) { eq.damping = alpha }
if let e = options["execution"] {
    guard let mode = ExecutionMode(rawValue: e) else { FileHandle.standardError.write(Data("unknown execution \(e)\n".utf8)); exit(2) }
    eq.execution = mode
}
if let i = options["inner"] {
    guard let inner = InnerMethod(rawValue: i) else { FileHandle.standardError.write(Data("unknown inner \(i)\n".utf8)); exit(2) }
    eq.inner = inner
}

var times: [Double] = []
var last: EquilibriumResult? = nil
for _ in 0..<max(1, int("repeat", 1)) {
    let (result, t) = try seconds { try game.solveEquilibrium(options: eq) }
    times.append(t)
    last = result
}
guard let result = last else { exit(1) }
times.sort()
let median = times.count % 2 == 1 ? times[times.count / 2] : 0.5 * (times[times.count / 2 - 1] + times[times.count / 2])

func num(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
var fields: [String] = [
    "\"states\": \(states)", "\"actions\": \(actions)", "\"branching\": \(branching)", "\"seed\": \(seed)",
    "\"method\": \"\(result.method.rawValue)\"", "\"converged\": \(result.converged)",
    "\"iterations\": \(result.iterations)", "\"seconds\": \(num(median))",
    "\"allSeconds\": [\(times.map(num).joined(separator: ", "))]", "\"buildSeconds\": \(num(buildSeconds))",
    "\"garnetChecksum\": \(num(garnet.checksum))",
    "\"exploitability\": \(num(result.exploitability))", "\"stationarityResidual\": \(num(result.stationarityResidual))",
    "\"message\": \"\(result.message)\"",
]
if let lp = result.lpStatistics {
    fields.append("\"lpPath\": {\"solves\": \(lp.solves), \"warmSolves\": \(lp.warmSolves), "
        + "\"pivotsPerWarmSolve\": \(num(lp.pivotsPerWarmSolve)), \"maxWarmPivots\": \(lp.maxWarmPivots), "
        + "\"reusedBases\": \(lp.reusedBases), \"builds\": \(lp.builds)}")
}
if flags.contains("mean-field") {
    fields.append("\"meanField\": [\(result.meanField.map(num).joined(separator: ", "))]")
}
print("{" + fields.joined(separator: ", ") + "}")
