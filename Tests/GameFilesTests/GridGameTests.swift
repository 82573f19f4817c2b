import Ambiguity
import GameFiles
import MeanField
import Randomness
import Testing
import TestSupport

/// Grid states, `let` and `dot` in game files (Docs/Format.md, "Grid states" and "let").
@Suite("Game files: grids, let and dot")
struct GridGameTests {
    /// A random crowd game on a `W×H` grid: `withLet` writes it with bindings, otherwise every
    /// binding is written out by hand.
    static func crowdGame(width: Int, height: Int, weights: [Double], c: Double, q: Double, goal: (Int, Int),
                          withLet: Bool) -> String {
        let nx = "(x + dx[a])", ny = "(y + dy[a])"
        let target = "if(inside(\(nx), \(ny)), cell(\(nx), \(ny)), s)"
        let crowd = "(mu[s] * states * c)"
        let pull = "(w[s] * \(crowd))"
        let body = withLet
            ? """
            let:
              nx: "x + dx[a]"
              ny: "y + dy[a]"
              target: "if(inside(nx, ny), cell(nx, ny), s)"
              crowd: "mu[s] * states * c"
              pull: "w[s] * crowd"
            reward: "-crowd - pull + dot(mu, w) - abs(x - gx) - abs(y - gy)"
            transition: "(1 - q) * (t == target) + q * (t == s)"
            ambiguity: {set: tv, radius: "0.01 * (1 + crowd)"}
            """
            : """
            reward: "-\(crowd) - \(pull) + dot(mu, w) - abs(x - gx) - abs(y - gy)"
            transition: "(1 - q) * (t == \(target)) + q * (t == s)"
            ambiguity: {set: tv, radius: "0.01 * (1 + \(crowd))"}
            """
        return """
        name: crowd
        states: {grid: [\(width), \(height)]}
        actions: [up, down, left, right, stay]
        discount: 0.9
        parameters:
          dx: [0, 0, -1, 1, 0]
          dy: [1, -1, 0, 0, 0]
          w: [\(weights.map { "\($0)" }.joined(separator: ", "))]
          c: \(c)
          q: \(q)
          gx: \(goal.0)
          gy: \(goal.1)
        \(body)
        """
    }

    @Test func letGamesEqualTheSameGamesWrittenOutAndABruteForceModel() throws {
        let seed = TestSeed()
        var generator = seed.generator
        for _ in 0..<12 {
            let width = Int.random(in: 1...6, using: &generator), height = Int.random(in: 1...6, using: &generator)
            let n = width * height
            let weights = (0..<n).map { _ in Double.random(in: -1...1, using: &generator) }
            let c = Double.random(in: 0...2, using: &generator), q = Double.random(in: 0...0.5, using: &generator)
            let goal = (Int.random(in: 0..<width, using: &generator), Int.random(in: 0..<height, using: &generator))
            let byLet = try loadGame(Self.crowdGame(width: width, height: height, weights: weights, c: c, q: q, goal: goal, withLet: true))
            let inline = try loadGame(Self.crowdGame(width: width, height: height, weights: weights, c: c, q: q, goal: goal, withLet: false))
            #expect(byLet.file.layout == GameLayout(width: width, height: height), "\(seed)")
            #expect(byLet.file.grid == [width, height])
            for _ in 0..<3 {
                var mu = (0..<n).map { _ in Double.random(in: 0...1, using: &generator) }
                let total = mu.reduce(0, +)
                mu = mu.map { $0 / total }
                let a = try byLet.game.snapshot(at: mu), b = try inline.game.snapshot(at: mu)
                #expect(a.rewards.map(\.bitPattern) == b.rewards.map(\.bitPattern), "\(seed)")
                #expect(a.radii.map(\.bitPattern) == b.radii.map(\.bitPattern), "\(seed)")
                #expect(a.kernels == b.kernels, "\(seed)")
                try checkAgainstBruteForce(a, width: width, height: height, weights: weights, c: c, q: q, goal: goal, mu: mu, seed: seed)
            }
        }
    }

    /// The same model computed by hand: coordinates `s % W`, `s / W`, moves clipped at the walls.
    func checkAgainstBruteForce(_ snapshot: GameSnapshot, width: Int, height: Int, weights: [Double], c: Double, q: Double,
                                goal: (Int, Int), mu: [Double], seed: TestSeed) throws {
        let n = width * height
        let dx = [0, 0, -1, 1, 0], dy = [1, -1, 0, 0, 0]
        var dot = 0.0
        for t in 0..<n { dot += mu[t] * weights[t] }
        for s in 0..<n {
            let x = s % width, y = s / width
            for a in 0..<5 {
                let crowd = mu[s] * Double(n) * c
                let reward = -crowd - weights[s] * crowd + dot - Double(abs(x - goal.0)) - Double(abs(y - goal.1))
                let row = snapshot.row(s, a)
                #expect(isApproximatelyEqual(snapshot.rewards[row], reward, absolute: 1e-12, relative: 1e-12), "\(seed) s=\(s) a=\(a)")
                let (nx, ny) = (x + dx[a], y + dy[a])
                let target = nx >= 0 && nx < width && ny >= 0 && ny < height ? nx + width * ny : s
                var expected = [Double](repeating: 0, count: n)
                expected[target] += 1 - q
                expected[s] += q
                var actual = [Double](repeating: 0, count: n)
                for (t, p) in zip(snapshot.kernels[row].indices, snapshot.kernels[row].probabilities) { actual[t] = p }
                for t in 0..<n {
                    #expect(isApproximatelyEqual(actual[t], expected[t], absolute: 1e-15, relative: 0), "\(seed) s=\(s) a=\(a) t=\(t)")
                }
            }
        }
    }

    @Test func threeDimensionalGridsHaveCoordinatesButNoFigureLayout() throws {
        let (file, game) = try loadGame("""
        name: cube
        states: {grid: [3, 2, 4]}
        actions: 1
        discount: 0.5
        reward: "x + 10 * y + 100 * z + 1000 * (width + 10 * height + 100 * depth)"
        transition: "t == cell(x, y, z)"
        ambiguity: {set: wasserstein, radius: 0.1, cost: "abs(x - tx) + abs(y - ty) + abs(z - tz)"}
        """)
        #expect(file.layout == nil)
        #expect(file.grid == [3, 2, 4])
        let snapshot = try game.snapshot(at: uniform(24))
        for s in 0..<24 {
            let (x, y, z) = (s % 3, (s / 3) % 2, s / 6)
            #expect(snapshot.rewards[s] == Double(x + 10 * y + 100 * z + 1000 * (3 + 20 + 400)))
        }
        // The ground cost is the L1 distance between cells.
        let cost = try #require(file.ambiguitySet.cost)
        for s in 0..<24 {
            for t in 0..<24 {
                let d = abs(s % 3 - t % 3) + abs((s / 3) % 2 - (t / 3) % 2) + abs(s / 6 - t / 6)
                #expect(cost[s, t] == Double(d))
            }
        }
        // A 2-D grid game may still say depth (1).
        let flat = try loadGame("""
        name: flat
        states: {grid: [2, 1]}
        actions: 1
        discount: 0.5
        reward: "depth + x"
        transition: "t == s"
        layout: {grid: [2, 1], origin: bottom-left}
        """)
        #expect(try flat.game.snapshot(at: uniform(2)).rewards == [1, 2])
        #expect(flat.file.layout == GameLayout(width: 2, height: 1, origin: .bottomLeft))
    }

    static let base = gridMovesGame(name: "bad", rest: """
    reward: "-mu[s]"
    transition: "t == target"
    """)

    /// Each case: a replacement of one line of ``base`` (or an appended line), the field the error
    /// names and a phrase of its message.
    static let loadErrors: [(from: String, to: String, field: String, says: String)] = [
        ("  target: \"if(inside(nx, ny), cell(nx, ny), s)\"", "  target: \"cell(nx, ny)\"", "transition", "in let 'target': cell (0, -1) is outside the 4×3 grid"),
        ("  nx: \"x + dx[a]\"", "  nx: \"x + dx[a] + ny\"", "let.nx", "uses 'ny', which is defined after it"),
        ("  nx: \"x + dx[a]\"", "  nx: \"x + nx\"", "let.nx", "refers to itself"),
        ("  nx: \"x + dx[a]\"", "  nx: \"x + nope\"", "let.nx", "unknown name `nope`"),
        ("  nx: \"x + dx[a]\"", "  dx: \"1\"", "let.dx", "clashes"),
        ("  nx: \"x + dx[a]\"", "  t: \"1\"", "let.t", "clashes"),
        ("  nx: \"x + dx[a]\"", "  up: \"1\"", "let.up", "clashes"),
        ("  nx: \"x + dx[a]\"", "  tx: \"1\"", "let.tx", "clashes"),
        ("  nx: \"x + dx[a]\"", "  dot: \"1\"", "let.dot", "function name"),
        ("transition: \"t == target\"", "transition: \"t == target\"\nambiguity: {set: l1, radius: 0.1, weights: \"1 + nx\"}",
         "ambiguity.weights", "uses let 'nx', which needs a; ambiguity.weights may use t, tx, ty"),
        ("reward: \"-mu[s]\"", "reward: \"-mu[s] + tx\"", "reward", "`tx` is not available here"),
        ("reward: \"-mu[s]\"", "reward: \"-mu[s] + cell(x, y, 0)\"", "reward", "`cell` takes 2 (the grid's dimensions) arguments but was given 3"),
        ("reward: \"-mu[s]\"", "reward: \"dot(mu, dx)\"", "reward", "`dot` takes two arrays of the same shape, found a vector of 12 and a vector of 5"),
        ("reward: \"-mu[s]\"", "reward: \"dot(mu, 1)\"", "reward", "`dot` takes two arrays of the same shape"),
        ("states: {grid: [4, 3]}", "states: {grid: [4, 0]}", "states.grid[1]", "expected"),
        ("states: {grid: [4, 3]}", "states: {grid: [4]}", "states.grid", "[width, height]"),
        ("states: {grid: [4, 3]}", "states: {grid: [1001, 1000]}", "states.grid", "at most 1000000 states"),
        ("states: {grid: [4, 3]}", "states: {grid: [4, 3], size: 2}", "states.size", "unknown key"),
        ("states: {grid: [4, 3]}", "states: {grid: [4, 3]}\nlayout: {grid: [3, 4]}", "layout.grid", "expected states.grid [4, 3]"),
        ("states: {grid: [4, 3]}", "states: 12", "let.nx", "exists only in grid games"),
        ("let:\n  nx: \"x + dx[a]\"\n  ny: \"y + dy[a]\"\n  target: \"if(inside(nx, ny), cell(nx, ny), s)\"", "let: 3", "let", "expected a mapping"),
    ]

    @Test func loadTimeErrorsNameTheFieldOnOneLine() throws {
        for (from, to, field, says) in Self.loadErrors {
            #expect(Self.base.contains(from), "\(from)")
            let text = Self.base.replacingOccurrences(of: from, with: to)
            guard let error = loadError(text) else { Issue.record("loaded: \(to)"); continue }
            #expect(error.field == field, "\(to): \(error)")
            #expect(error.description.contains(says), "\(to): \(error)")
            #expect(!error.description.contains("\n"), "\(error)")
        }
    }

    @Test func aMisplacedBindingNamesTheVariableTheFieldLacks() throws {
        let text = Self.base.replacingOccurrences(of: "  ny: \"y + dy[a]\"", with: "  ny: \"y + dy[a]\"\n  far: \"abs(tx - x) + mu[t]\"")
            .replacingOccurrences(of: "reward: \"-mu[s]\"", with: "reward: \"-far\"")
        let error = try #require(loadError(text))
        #expect(error.field == "reward")
        #expect(error.message.hasPrefix("uses let 'far', which needs t; reward may use s, a, mu, x, y"), "\(error)")
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
