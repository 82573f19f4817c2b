import Foundation
import GameFiles
import MeanField
import Randomness
import Testing
import TestSupport

/// The rows of games whose transitions use `let` bindings, now evaluated once per row (or
/// once per `t`, per noise value, for the bindings that read them) instead of once per use:
/// bit for bit the rows of the same games with the bindings written out, and equal to plain
/// Swift references of the models.
@Suite struct LetMemoGameTests {
    /// Mean fields with no zero entries, and a point mass.
    static func meanFields(_ n: Int) -> [[Double]] {
        var rng = SplitMix64(seed: 1616)
        let random = (0..<3).map { _ -> [Double] in
            let x = (0..<n).map { _ in Double.random(in: 0.01..<1, using: &rng) }
            let total = x.reduce(0, +)
            return x.map { $0 / total }
        }
        var point = [Double](repeating: 0, count: n)
        point[n / 2] = 1
        return [uniform(n)] + random + [point]
    }

    /// The kernels of two games at `mu`, row by row as dense vectors.
    static func denseKernels(_ game: MeanFieldGame, at mu: [Double]) throws -> [[Double]] {
        let snapshot = try game.snapshot(at: mu)
        return snapshot.kernels.map { $0.dense(count: game.stateCount) }
    }

    /// The crowd grid example (7×4): `target` is used three times and `go` twice per row.
    @Test func crowdGridEqualsItsBindingsWrittenOut() throws {
        let text = try String(contentsOfFile: Paths.example("crowd-grid.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "width: 24", with: "width: 7")
            .replacingOccurrences(of: "height: 16", with: "height: 4")
        let target = "if(inside(x + dx[a], y + dy[a]), cell(x + dx[a], y + dy[a]), s)"
        let go = "((1 - slip) * exp(-congestion * states * mu[\(target)]))"
        var plain = text.replacingOccurrences(of: "{to: target, p: go}", with: "{to: \"\(target)\", p: \"\(go)\"}")
            .replacingOccurrences(of: "{to: s, p: \"1 - go\"}", with: "{to: s, p: \"1 - \(go)\"}")
        // Without the bindings (a file that declares none).
        let letBlock = try #require(plain.range(of: "let:\n"))
        let rewardStart = try #require(plain.range(of: "reward:"))
        plain.removeSubrange(letBlock.lowerBound..<rewardStart.lowerBound)
        #expect(!plain.contains("go}") && !plain.contains("let:"))
        let (_, game) = try loadGame(text)
        let (_, written) = try loadGame(plain)
        let n = 28
        for mu in Self.meanFields(n) {
            let (a, b) = (try Self.denseKernels(game, at: mu), try Self.denseKernels(written, at: mu))
            for row in a.indices {
                #expect(a[row].map(\.bitPattern) == b[row].map(\.bitPattern), "row \(row)")
            }
            // And the model itself: the move's target, its probability `go`, the rest stays.
            for s in 0..<n {
                for (k, (dx, dy)) in [(0, -1), (0, 1), (-1, 0), (1, 0), (0, 0)].enumerated() {
                    let (x, y) = (s % 7 + dx, s / 7 + dy)
                    let t = (0..<7).contains(x) && (0..<4).contains(y) ? x + 7 * y : s
                    let p = 0.9 * exp(-0.5 * Double(n) * mu[t])
                    var expected = [Double](repeating: 0, count: n)
                    expected[t] += p
                    expected[s] += 1 - p
                    for j in 0..<n {
                        #expect(isApproximatelyEqual(a[s * 5 + k][j], expected[j], absolute: 1e-15, relative: 1e-12))
                    }
                }
            }
        }
    }

    static let dense = """
    name: dense
    states: 6
    actions: [left, stay, right]
    discount: 0.9
    parameters: {noise: 0.4}
    let:
      goal: "clamp(s + a - 1, 0, states - 1)"
      q: "noise * mu[s]"
      hit: "(t == goal)"
    reward: "-abs(s - 2)"
    transition: "(1 - q) * hit + q * (t == s)"
    """

    /// A transition over `t`: `goal` and `q` are evaluated once per row, `hit` (which reads `t`)
    /// once per `t`.
    @Test func denseTransitionEqualsItsBindingsWrittenOut() throws {
        let plainText = Self.dense.replacingOccurrences(of: "(1 - q) * hit + q * (t == s)",
                                                        with: "(1 - noise * mu[s]) * (t == clamp(s + a - 1, 0, states - 1)) + noise * mu[s] * (t == s)")
        let (_, game) = try loadGame(Self.dense)
        let (_, written) = try loadGame(plainText)
        for mu in Self.meanFields(6) {
            let (a, b) = (try Self.denseKernels(game, at: mu), try Self.denseKernels(written, at: mu))
            for s in 0..<6 {
                for action in 0..<3 {
                    let row = s * 3 + action
                    #expect(a[row].map(\.bitPattern) == b[row].map(\.bitPattern), "row \(row)")
                    let q = 0.4 * mu[s]
                    var expected = [Double](repeating: 0, count: 6)
                    expected[min(max(s + action - 1, 0), 5)] += 1 - q
                    expected[s] += q
                    for t in 0..<6 {
                        #expect(isApproximatelyEqual(a[row][t], expected[t], absolute: 1e-15, relative: 1e-12), "row \(row), t \(t)")
                    }
                }
            }
        }
    }

    static let noisy = """
    name: noisy
    states: 7
    actions: [left, stay, right]
    discount: 0.9
    parameters: {eps: 0.1}
    let:
      spread: "1 + mu[s]"
      shift: "e * (1 + a)"
      side: "eps * spread"
    reward: "-abs(s - 3)"
    transition:
      next: "clamp(s + shift, 0, states - 1)"
      noise: {values: [-1, 0, 1], probabilities: [side, "1 - 2 * side", side]}
    """

    /// A `{next, noise}` transition: `shift` reads `e` and is forgotten between noise values;
    /// `spread` and `side` are evaluated once per row.
    @Test func noiseTransitionEqualsItsBindingsWrittenOut() throws {
        let plainText = Self.noisy.replacingOccurrences(of: "clamp(s + shift, 0, states - 1)", with: "clamp(s + e * (1 + a), 0, states - 1)")
            .replacingOccurrences(of: "[side, \"1 - 2 * side\", side]",
                                  with: "[\"eps * (1 + mu[s])\", \"1 - 2 * (eps * (1 + mu[s]))\", \"eps * (1 + mu[s])\"]")
        let (_, game) = try loadGame(Self.noisy)
        let (_, written) = try loadGame(plainText)
        for mu in Self.meanFields(7) {
            let (a, b) = (try Self.denseKernels(game, at: mu), try Self.denseKernels(written, at: mu))
            for s in 0..<7 {
                for action in 0..<3 {
                    let row = s * 3 + action
                    #expect(a[row].map(\.bitPattern) == b[row].map(\.bitPattern), "row \(row)")
                    let side = 0.1 * (1 + mu[s])
                    var expected = [Double](repeating: 0, count: 7)
                    for (e, p) in [(-1, side), (0, 1 - 2 * side), (1, side)] {
                        expected[min(max(s + e * (1 + action), 0), 6)] += p
                    }
                    for t in 0..<7 {
                        #expect(isApproximatelyEqual(a[row][t], expected[t], absolute: 1e-15, relative: 1e-12), "row \(row), t \(t)")
                    }
                }
            }
        }
    }

    /// Errors at a visited mean field are those of the bindings written out: a binding that
    /// would fail in a branch no field takes is never evaluated; one that fails is named.
    @Test func rowErrorsAreUnchanged() throws {
        let text = """
        name: guarded
        states: 4
        actions: 1
        discount: 0.9
        let:
          odd: "log(mu[s] - 0.6)"
          back: "mod(s - 1, states)"
        reward: "0"
        transition:
          successors:
            - {to: back, p: "if(mu[s] > 0.5, 0 * odd, 1)"}
            - {to: s, p: "if(mu[s] > 0.5, 1 + 0 * odd, 0)"}
        """
        let (_, game) = try loadGame(text)
        let plain = try loadGame(text.replacingOccurrences(of: "* odd", with: "* log(mu[s] - 0.6)")).game
        // `odd` would fail at every state here (log of a negative number), but no branch takes it.
        for g in [game, plain] { _ = try g.snapshot(at: [0, 0.5, 0.5, 0]) }
        // At s = 1, mu[s] = 0.55 > 0.5: log(-0.05) fails in the first weight, in both.
        let mu = [0, 0.55, 0.45, 0]
        let error = #expect(throws: MeanFieldError.self) { try game.snapshot(at: mu) }
        let plainError = #expect(throws: MeanFieldError.self) { try plain.snapshot(at: mu) }
        guard case let .model(s, a, model)? = error, case let .model(ps, pa, plainModel)? = plainError else {
            Issue.record("\(String(describing: error)), \(String(describing: plainError))")
            return
        }
        #expect(s == 1 && a == 0 && (s, a) == (ps, pa))
        #expect(model.field == "transition.successors[0].p" && model.field == plainModel.field)
        #expect(plainModel.message.hasPrefix("logarithm of a non-positive number"), "\(plainModel.message)")
        #expect(model.message == "in let 'odd': " + plainModel.message, "\(model.message)")
    }
}
