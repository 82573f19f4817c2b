import Ambiguity
import MeanField

/// The optional `layout` block: how the states are arranged, for figures.
///
/// ```yaml
/// layout:
///   grid: [11, 11]       # width, height: state s is the cell (x, y) with s = x + width * y
///   origin: top-left     # where (0, 0) is drawn: top-left (default) or bottom-left
/// ```
///
/// It changes nothing in the game; `rmfg solve` draws μ and the policy on the grid.
public struct GameLayout: Sendable, Hashable {
    /// Where the cell `(0, 0)` is drawn.
    public enum Origin: String, Sendable, CaseIterable {
        /// `y` grows downwards, as the rows of a matrix.
        case topLeft = "top-left"
        /// `y` grows upwards, as on a map.
        case bottomLeft = "bottom-left"
    }

    /// Cells per row.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Where `(0, 0)` is drawn.
    public let origin: Origin

    /// A `width × height` grid; `width · height` must equal the number of states.
    public init(width: Int, height: Int, origin: Origin = .topLeft) {
        self.width = width
        self.height = height
        self.origin = origin
    }

    /// The cell `(x, y)` of state `s`.
    public func cell(_ s: Int) -> (x: Int, y: Int) { (s % width, s / width) }

    /// The move each state's preferred action makes: for the action of largest probability
    /// (the first of equals), the expected displacement `Σ_t P(t | s, a) (cell(t) − cell(s))`
    /// under the nominal kernel `kernels[s · actions + a]`, scaled to length 1; `(0, 0)` when it is
    /// shorter than 0.1 cells (the action mostly stays); `nil` when it is longer than 1.5 cells
    /// (a jump, not a move to a neighbour) or the row is missing.
    public func preferredMoves(policy: Policy, kernels: [SparseDistribution]) -> [(dx: Double, dy: Double)?] {
        let m = policy.actionCount
        return (0..<min(policy.stateCount, width * height)).map { s -> (dx: Double, dy: Double)? in
            var best = 0
            for a in 1..<max(m, 1) where policy[s, a] > policy[s, best] { best = a }
            let row = s * m + best
            guard row < kernels.count else { return nil }
            let here = cell(s)
            var dx = 0.0, dy = 0.0
            for (t, p) in zip(kernels[row].indices, kernels[row].probabilities) {
                let there = cell(t)
                dx += p * Double(there.x - here.x)
                dy += p * Double(there.y - here.y)
            }
            let length = (dx * dx + dy * dy).squareRoot()
            guard length.isFinite, length <= 1.5 else { return nil }
            return length < 0.1 ? (0, 0) : (dx / length, dy / length)
        }
    }

    /// Reads the `layout` block and checks it against the number of states and the grid
    /// states, if any; without a block, a 2-D grid's own layout (origin top-left), else `nil`.
    static func read(_ node: DocumentNode?, r: FieldReader, stateCount n: Int, grid states: [Int]? = nil) throws(GameFileError) -> GameLayout? {
        guard let node, node.value != .null else {
            guard let states, states.count == 2 else { return nil }
            return GameLayout(width: states[0], height: states[1])
        }
        let pairs = try r.object(node, "layout")
        try r.checkKeys(pairs, known: ["grid", "origin"], field: "layout")
        guard let grid = pairs.first(where: { $0.key == "grid" })?.value else {
            throw r.error("layout.grid", node, "missing, expected [width, height] (see Docs/Format.md)")
        }
        guard let items = grid.value.items, items.count == 2 else {
            throw r.error("layout.grid", grid, "found \(grid.value.kindDescription), expected a list [width, height] of two whole numbers")
        }
        let width = try r.integer(items[0], "layout.grid[0]", range: 1...1_000_000)
        let height = try r.integer(items[1], "layout.grid[1]", range: 1...1_000_000)
        guard width * height == n else {
            throw r.error("layout.grid", grid, "found [\(width), \(height)] (\(width * height) cells), expected width · height = states (\(n))")
        }
        if let states, states != [width, height] {
            throw r.error("layout.grid", grid, "found [\(width), \(height)], expected states.grid \(states) (or no layout block: a 2-D grid is its own layout)")
        }
        var origin = Origin.topLeft
        if let o = pairs.first(where: { $0.key == "origin" })?.value {
            origin = Origin(rawValue: try r.choice(o, "layout.origin", Origin.allCases.map(\.rawValue))) ?? .topLeft
        }
        return GameLayout(width: width, height: height, origin: origin)
    }
}
