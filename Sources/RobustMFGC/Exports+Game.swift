import GameFiles

/// Reads a game file (YAML, or JSON for `.json`): see `rmfg_game_load`.
@_cdecl("rmfg_game_load")
public func rmfg_game_load(_ path: UnsafePointer<CChar>?, _ game: UnsafeMutablePointer<OpaquePointer?>?,
                           _ error: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    rmfg_game_load_with(path, nil, nil, 0, nil, game, error)
}

/// Parses game-file text (JSON when `json` is non-zero, else YAML): see `rmfg_game_parse`.
@_cdecl("rmfg_game_parse")
public func rmfg_game_parse(_ text: UnsafePointer<CChar>?, _ name: UnsafePointer<CChar>?, _ json: Int32,
                            _ game: UnsafeMutablePointer<OpaquePointer?>?, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    rmfg_game_parse_with(text, name, json, nil, nil, 0, nil, game, error)
}

/// Reads a game file with parameter overrides and a starting mean field
/// (`rmfg solve GAME --param NAME=VALUE --initial FILE`): see `rmfg_game_load_with`.
@_cdecl("rmfg_game_load_with")
public func rmfg_game_load_with(_ path: UnsafePointer<CChar>?, _ params: UnsafePointer<CChar>?, _ initial: UnsafePointer<Double>?,
                                _ initialLength: Int64, _ initialPath: UnsafePointer<CChar>?,
                                _ game: UnsafeMutablePointer<OpaquePointer?>?, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    abiCall(error) {
        guard let game else { throw ABIError.input("game", "null pointer, expected where to store the game") }
        game.pointee = nil
        let overrides = try loadOverrides(params, initial, initialLength, initialPath)
        let loaded = try ABIGame(source: .path(try Input.string(path, "path")), overrides: overrides)
        game.pointee = Handles.make(loaded, kind: .game)
    }
}

/// Parses game-file text with parameter overrides and a starting mean field: see `rmfg_game_parse_with`.
@_cdecl("rmfg_game_parse_with")
public func rmfg_game_parse_with(_ text: UnsafePointer<CChar>?, _ name: UnsafePointer<CChar>?, _ json: Int32,
                                 _ params: UnsafePointer<CChar>?, _ initial: UnsafePointer<Double>?, _ initialLength: Int64,
                                 _ initialPath: UnsafePointer<CChar>?, _ game: UnsafeMutablePointer<OpaquePointer?>?,
                                 _ error: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    abiCall(error) {
        guard let game else { throw ABIError.input("game", "null pointer, expected where to store the game") }
        game.pointee = nil
        let overrides = try loadOverrides(params, initial, initialLength, initialPath)
        let source = ABIGame.Source.text(try Input.string(text, "text"), name: Input.optionalString(name) ?? "<game>", json: json != 0)
        game.pointee = Handles.make(try ABIGame(source: source, overrides: overrides), kind: .game)
    }
}

/// The checked C arguments of the `_with` loaders (`initial` NULL: none; else `initialLength` numbers).
func loadOverrides(_ params: UnsafePointer<CChar>?, _ initial: UnsafePointer<Double>?, _ initialLength: Int64,
                   _ initialPath: UnsafePointer<CChar>?) throws(ABIError) -> GameOverrides {
    let numbers = try initial.map { pointer throws(ABIError) in
        try Input.doubles(pointer, try Input.length(initialLength, "initial"), "initial")
    }
    return try ABIGame.loadOverrides(params: Input.optionalString(params), initial: numbers,
                                     initialPath: Input.optionalString(initialPath))
}

/// The game behind a handle, with overrides applied (`key=value` lines).
func liveGame(_ handle: OpaquePointer?, overrides: UnsafePointer<CChar>?) throws(ABIError) -> ABIGame {
    guard let game = Handles.object(handle, kind: .game) as? ABIGame else { throw .input("game", "not a live game handle") }
    return try game.applying(try OverrideText.parse(Input.optionalString(overrides)))
}

/// A result stored behind `result` (checked non-null first).
func store(_ result: UnsafeMutablePointer<OpaquePointer?>?, _ body: () throws(ABIError) -> ABIResult) throws(ABIError) {
    guard let result else { throw .input("result", "null pointer, expected where to store the result") }
    result.pointee = nil
    result.pointee = Handles.make(try body(), kind: .result)
}

/// The equilibrium of a game (`rmfg solve`): see `rmfg_game_solve`.
@_cdecl("rmfg_game_solve")
public func rmfg_game_solve(_ game: OpaquePointer?, _ overrides: UnsafePointer<CChar>?, _ verify: Int32,
                            _ result: UnsafeMutablePointer<OpaquePointer?>?, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    abiCall(error) {
        try store(result) { () throws(ABIError) in try liveGame(game, overrides: overrides).solve(verify: verify != 0) }
    }
}

/// The equilibrium of a game from a coarse-to-fine start (`rmfg solve --coarse-start
/// --coarsest-states N`): see `rmfg_game_solve_coarse`.
@_cdecl("rmfg_game_solve_coarse")
public func rmfg_game_solve_coarse(_ game: OpaquePointer?, _ overrides: UnsafePointer<CChar>?, _ verify: Int32,
                                   _ coarsest: Int64, _ result: UnsafeMutablePointer<OpaquePointer?>?,
                                   _ error: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    abiCall(error) {
        guard coarsest >= 1 else {
            throw ABIError(.invalidInput, field: "coarsest_states", message: "coarsest_states: \(coarsest), expected a whole number >= 1")
        }
        let c = Int(clamping: coarsest)
        try store(result) { () throws(ABIError) in
            try liveGame(game, overrides: overrides).solve(verify: verify != 0, coarsest: c)
        }
    }
}

/// An outside pair `(π, μ)` evaluated on a game (`rmfg evaluate`): see `rmfg_game_evaluate`.
@_cdecl("rmfg_game_evaluate")
public func rmfg_game_evaluate(_ game: OpaquePointer?, _ policy: UnsafePointer<Double>?, _ states: Int64, _ actions: Int64,
                               _ meanField: UnsafePointer<Double>?, _ meanFieldLength: Int64, _ overrides: UnsafePointer<CChar>?,
                               _ result: UnsafeMutablePointer<OpaquePointer?>?, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    abiCall(error) {
        let n = try Input.length(states, "policy"), m = try Input.length(actions, "policy")
        let pi = try Input.doubles(policy, try Input.product(n, m, "policy"), "policy")
        let mu = try Input.doubles(meanField, try Input.length(meanFieldLength, "meanField"), "meanField")
        try store(result) { () throws(ABIError) in
            try liveGame(game, overrides: overrides).evaluate(policy: pi, actions: m, meanField: mu)
        }
    }
}

/// A robustness sweep over `sets × radii` (`rmfg sweep`): see `rmfg_game_sweep`.
@_cdecl("rmfg_game_sweep")
public func rmfg_game_sweep(_ game: OpaquePointer?, _ sets: UnsafePointer<CChar>?, _ radii: UnsafePointer<Double>?,
                            _ radiusCount: Int64, _ testRadius: Double, _ samples: Int64, _ seed: UInt64,
                            _ overrides: UnsafePointer<CChar>?, _ result: UnsafeMutablePointer<OpaquePointer?>?,
                            _ error: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    abiCall(error) {
        let list = try Input.doubles(radii, try Input.length(radiusCount, "radii"), "radii")
        let names = try Input.string(sets, "sets")
        try store(result) { () throws(ABIError) in
            try liveGame(game, overrides: overrides).sweep(sets: names, radii: list, testRadius: testRadius.isNaN ? nil : testRadius,
                                                           samples: Int(truncatingIfNeeded: samples), seed: seed)
        }
    }
}
