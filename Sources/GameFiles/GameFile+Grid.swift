import Expressions
import Foundation

/// Grid states (`states: {grid: [W, H]}` or `[W, H, D]`) and `let` bindings (Docs/Format.md).
extension GameFileReader {
    /// The names grid games declare: coordinates of `s`, of `t`, and the sizes.
    static let gridCoordinates = (s: ["x", "y", "z"], t: ["tx", "ty", "tz"])
    static let gridConstants = ["width", "height", "depth"]

    /// The largest number of states a game may have.
    static let maximumStates = 1_000_000

    /// `states`: a count, a list of names, or `{grid: [W, H(, D)]}`; the grid's shape or `nil`.
    func readStates() throws(GameFileError) -> (names: [String], named: Bool, grid: [Int]?) {
        let node = try required("states")
        guard case .object = node.value else {
            let space = try r.space(node, "states", limit: Self.maximumStates)
            return (space.names, space.named, nil)
        }
        let pairs = try r.object(node, "states")
        try r.checkKeys(pairs, known: ["grid"], field: "states")
        guard let grid = pairs.first(where: { $0.key == "grid" })?.value else {
            throw r.error("states.grid", node, "missing, expected [width, height] or [width, height, depth]")
        }
        guard let items = grid.value.items, items.count == 2 || items.count == 3 else {
            throw r.error("states.grid", grid, "found \(grid.value.kindDescription), expected a list [width, height] or [width, height, depth] of whole numbers >= 1")
        }
        var shape: [Int] = []
        for (k, item) in items.enumerated() {
            shape.append(try gridSide(item, k))
        }
        let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard count <= Self.maximumStates else {
            throw r.error("states.grid", grid, "found \(shape.map(String.init).joined(separator: " × ")) = \(count) cells, expected at most \(Self.maximumStates) states")
        }
        return ((0..<count).map(String.init), false, shape)
    }

    /// One side of `states.grid`: a whole number, or the name of a parameter holding one
    /// (so that `--param width=300` resizes a grid declared `[width, height]`).
    func gridSide(_ item: DocumentNode, _ k: Int) throws(GameFileError) -> Int {
        guard case let .string(name) = item.value else {
            return try r.integer(item, "states.grid[\(k)]", range: 1...Self.maximumStates)
        }
        guard let parameters = field("parameters"), case let .object(pairs) = parameters.value,
              let value = pairs.first(where: { $0.key == name })?.value else {
            throw r.error("states.grid[\(k)]", item, "found '\(name)', expected a whole number >= 1 or the name of a parameter holding one")
        }
        return try r.integer(value, "states.grid[\(k)] (parameter '\(name)')", range: 1...Self.maximumStates)
    }

    /// The names of the parameters that `states.grid` reads, one per side, when every side is one.
    func gridSideParameters() -> [String]? {
        guard let node = field("states"), case let .object(pairs) = node.value,
              let grid = pairs.first(where: { $0.key == "grid" })?.value, let items = grid.value.items else { return nil }
        var names: [String] = []
        for item in items {
            guard case let .string(name) = item.value else { return nil }
            names.append(name)
        }
        return names
    }

    /// The grid constants that parameters of the same name provide: `width` and `height` in
    /// `grid: [width, height]` are the parameters themselves (equal values by construction).
    func gridConstantsFromParameters() -> Set<String> {
        guard let node = field("states"), case let .object(pairs) = node.value,
              let grid = pairs.first(where: { $0.key == "grid" })?.value, let items = grid.value.items else { return [] }
        var names: Set<String> = []
        for (item, constant) in zip(items, Self.gridConstants) {
            if case let .string(name) = item.value, name == constant { names.insert(name) }
        }
        return names
    }

    /// Declares the grid, its coordinates (`x y z` of `s`, `tx ty tz` of `t`) and `width height depth`
    /// (except those a parameter of the same name provides, see ``gridConstantsFromParameters()``).
    func declareGrid(_ shape: [Int], slots: GameFile.Slots, into schema: inout Schema) throws(GameFileError) {
        let provided = gridConstantsFromParameters()
        do throws(ExpressionError) {
            try schema.declareGrid(shape)
            try schema.declareCoordinates(Array(Self.gridCoordinates.s.prefix(shape.count)), of: slots.s)
            try schema.declareCoordinates(Array(Self.gridCoordinates.t.prefix(shape.count)), of: slots.t)
            for (name, size) in zip(Self.gridConstants, shape + [1]) where !provided.contains(name) {
                try schema.declareConstant(name, value: Double(size))
            }
        } catch {
            throw r.error("states.grid", field("states"), "internal schema error: \(error)")
        }
    }

    /// The `let` block: each binding, in order, may use the variables, the constants and earlier bindings.
    func declareBindings(into schema: inout Schema) throws(GameFileError) {
        guard let node = field("let"), node.value != .null else { return }
        let pairs = try r.object(node, "let")
        let names = pairs.map(\.key)
        for (k, (name, value)) in pairs.enumerated() {
            let fieldName = "let.\(name)"
            guard !Schema.functionNames.contains(name) else {
                throw r.error(fieldName, value, "'\(name)' is a function name; names may not clash with the functions \(Schema.functionNames.joined(separator: " "))")
            }
            if schema.declaration(of: name) != nil || schema.names.contains(name) || names[..<k].contains(name) {
                throw r.error(fieldName, value, "'\(name)' clashes with a variable, parameter, constant, state or action name, or an earlier binding; choose another name")
            }
            let source = try r.expressionSource(value, fieldName)
            do throws(ExpressionError) {
                try schema.declareBinding(name, source: source)
            } catch {
                throw r.error(fieldName, value, bindingMessage(error, binding: name, later: Array(names[k...]), schema: schema,
                                                              source: source))
            }
        }
    }

    /// The message for a binding that does not compile: a use of itself or of a later binding says so.
    private func bindingMessage(_ error: ExpressionError, binding: String, later: [String], schema: Schema,
                                source: String) -> String {
        if case let .unknownName(used, _, _) = error.kind, later.contains(used) {
            return used == binding
                ? "let '\(binding)' refers to itself (a binding may use only earlier bindings; cyclic definitions are not allowed)"
                : "let '\(binding)' uses '\(used)', which is defined after it (a binding may use only earlier bindings: move '\(used)' before '\(binding)'; cyclic definitions are not allowed)"
        }
        return Self.compileMessage(error, field: "let.\(binding)", view: schema, source: source)
    }

    /// The source on one line, for messages.
    static func oneLine(_ source: String) -> String {
        source.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The message of a field's compile error, with the form the format promises for a
    /// misplaced binding (`uses let 'crowd', which needs t; reward may use s, a, mu`) and a
    /// hint for grid names in a game without a grid.
    static func compileMessage(_ error: ExpressionError, field: String, view: Schema, source: String) -> String {
        switch error.kind {
        case let .bindingNeedsUnavailable(binding, variable, available):
            return "uses let '\(binding)', which needs \(variable); \(field) may use \(available.joined(separator: ", ")) (in '\(oneLine(source))')"
        case let .unknownName(name, _, _) where view.grid == nil
            && (gridCoordinates.s + gridCoordinates.t + gridConstants).contains(name):
            return "\(error.description); `\(name)` exists only in grid games (states: {grid: [W, H]}) in '\(oneLine(source))'"
        default:
            return "\(error.description) in '\(oneLine(source))'"
        }
    }
}

extension ExpressionError {
    /// The message of an evaluation error for a field, naming the `let` binding it arose in:
    /// `in let 'target': cell (0, -1) is outside the 4×3 grid (…)`.
    package var fieldMessage: String { binding.map { "in let '\($0)': \(message)" } ?? message }
}
