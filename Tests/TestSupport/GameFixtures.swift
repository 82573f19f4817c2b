/// Game files shared by the GameFiles tests and the `rmfg` tests.

/// A 2-state game whose rows sum to 1 at every μ, but whose `P(1) = 2 μ(1) − 0.5` is
/// negative once μ(1) < 1/4, which the solve reaches from `initial: [0.7, 0.3]`: the
/// solve fails at `s=0, a=0, t=1` (found −0.3…, expected a probability >= 0).
public let negativeKernelGame = """
name: negative-kernel
states: 2
actions: 2
discount: 0.9
reward: "0"
transition: "if(t == 0, 1.5 - 2 * mu[1], 2 * mu[1] - 0.5)"
initial: [0.7, 0.3]
solver:
  temperature: 0.5
  maxIterations: 20
"""

/// A game on a 4×3 grid with the moves `up, down, left, right, stay`: the parameters
/// `dx`, `dy` (the moves' offsets) and then `parameters`, the bindings `nx`, `ny` (the
/// cell a move aims at) and `target` (that cell, or `s` when it lies outside the grid)
/// and then `bindings`, followed by `rest` (reward, transition and the other keys).
/// `parameters` and `bindings` are whole lines, each ending in a newline.
public func gridMovesGame(name: String, parameters: String = "", bindings: String = "", rest: String) -> String {
    """
    name: \(name)
    states: {grid: [4, 3]}
    actions: [up, down, left, right, stay]
    discount: 0.9
    parameters:
      dx: [0, 0, -1, 1, 0]
      dy: [1, -1, 0, 0, 0]

    """ + parameters + """
    let:
      nx: "x + dx[a]"
      ny: "y + dy[a]"
      target: "if(inside(nx, ny), cell(nx, ny), s)"

    """ + bindings + rest
}
