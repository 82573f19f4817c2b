import Expressions
import Subsampling

/// Reads global/local game files (Docs/Alternating.md) into the plain
/// `AlternatingGame` model of Subsampling: every expression is compiled here
/// and evaluated into the model's tables.
public enum AlternatingGameFile {
    static let topKeys = ["name", "description", "agents", "observed", "discount", "parameters", "global", "local", "learning"]
    static let blockKeys = ["states", "actions", "reward", "transition", "initial"]
    static let learningKeys = ["episodes", "horizon", "exploration", "stepExponent", "rounds", "seed", "tolerance"]

    /// Reads and validates a game file: `.json` as JSON, anything else as YAML.
    ///
    /// - Throws: ``GameFileError`` naming the file and field.
    public static func load(path: String) throws(GameFileError) -> AlternatingGame {
        try loadWithParameterFiles(path: path).game
    }

    /// ``load(path:)``, with the files its `{file: PATH}` parameters were read from (resolved
    /// against the game file's folder): inputs that no output of the command may overwrite.
    public static func loadWithParameterFiles(path: String) throws(GameFileError) -> (game: AlternatingGame, parameterFiles: [String]) {
        let text = try DocumentReader.readText(path: path)
        let root = try DocumentReader.parseRoot(text: text, path: path, json: path.lowercased().hasSuffix(".json"), reference: "Docs/Alternating.md")
        let reader = try AlternatingGameReader(root: root, path: path)
        return (try reader.game(), reader.r.fileParameters(reader.field("parameters")).values.sorted())
    }

    /// Parses and validates game-file text (`path` names the file in errors).
    ///
    /// - Throws: ``GameFileError`` naming the file and field.
    public static func parse(text: String, path: String, json: Bool = false) throws(GameFileError) -> AlternatingGame {
        let root = try DocumentReader.parseRoot(text: text, path: path, json: json, reference: "Docs/Alternating.md")
        return try AlternatingGameReader(root: root, path: path).game()
    }
}

extension GameFileError {
    /// The model's error as a game-file error of `file` (no position: the tables are checked after reading).
    public init(_ error: AlternatingGameError, file: String) {
        self.init(file: file, field: error.field.rawValue, message: error.message)
    }
}

/// One block (`global` or `local`) of a global/local game file.
struct AlternatingBlock {
    let key: String
    let node: DocumentNode
    let pairs: [(key: String, value: DocumentNode)]

    func optional(_ sub: String) -> DocumentNode? { pairs.first { $0.key == sub }?.value }
}

/// Reads one global/local game document in named phases.
struct AlternatingGameReader {
    let r: FieldReader
    let path: String
    let top: [(key: String, value: DocumentNode)]

    init(root: DocumentNode, path: String) throws(GameFileError) {
        r = FieldReader(file: path)
        self.path = path
        top = try r.object(root, "")
        try r.checkKeys(top, known: AlternatingGameFile.topKeys, field: "")
    }

    func field(_ key: String) -> DocumentNode? { top.first { $0.key == key }?.value }

    func required(_ key: String) throws(GameFileError) -> DocumentNode {
        guard let node = field(key) else { throw r.error(key, nil, "missing, expected a value (see Docs/Alternating.md)") }
        return node
    }

    /// The whole game.
    func game() throws(GameFileError) -> AlternatingGame {
        let header = try readHeader()
        let globalBlock = try block("global"), localBlock = try block("local")
        let gs = try r.space(try need(globalBlock, "states"), "global.states", limit: 64)
        let ga = try r.space(try need(globalBlock, "actions"), "global.actions", limit: 64)
        let ls = try r.space(try need(localBlock, "states"), "local.states", limit: 16)
        let la = try r.space(try need(localBlock, "actions"), "local.actions", limit: 64)
        let spaces = AlternatingSpaces(global: gs, globalActions: ga, local: ls, localActions: la)
        var (schema, slots) = try declareSchema(spaces, agents: header.agents)
        _ = try r.declareParameters(field("parameters"), into: &schema)
        let tables = try tabulate(spaces, schema: schema, slots: slots, globalBlock: globalBlock, localBlock: localBlock)
        let g = gs.names.count, l = ls.names.count
        let gi = try r.distribution(globalBlock.optional("initial"), "global.initial", count: g)
            ?? [Double](repeating: 1 / Double(g), count: g)
        let li = try r.distribution(localBlock.optional("initial"), "local.initial", count: l)
            ?? [Double](repeating: 1 / Double(l), count: l)
        let settings = try readLearning()
        do throws(AlternatingGameError) {
            return try AlternatingGame(path: path, name: header.name, summary: header.summary, agents: header.agents,
                                       observed: header.observed, discount: header.discount,
                                       globalStates: gs.names, globalActions: ga.names, localStates: ls.names,
                                       localActions: la.names, globalReward: tables.rg, globalTransition: tables.pg,
                                       localReward: tables.rl, localTransition: tables.pl,
                                       globalInitial: gi, localInitial: li, learning: settings)
        } catch {
            throw GameFileError(error, file: path)
        }
    }

    /// Phase 1: name, description, agents, observed, discount.
    func readHeader() throws(GameFileError) -> (name: String, summary: String?, agents: Int, observed: Int?, discount: Double) {
        let name = try r.string(try required("name"), "name")
        var summary: String?
        if let d = field("description"), d.value != .null { summary = try r.string(d, "description") }
        let n = try r.integer(try required("agents"), "agents", range: 1...10_000)
        var observed: Int?
        if let o = field("observed"), o.value != .null { observed = try r.integer(o, "observed", range: 1...n) }
        let discountNode = try required("discount")
        let gamma = try r.number(discountNode, "discount", where: { $0 >= 0 && $0 < 1 }, expected: "0 <= discount < 1")
        return (name, summary, n, observed, gamma)
    }

    /// The block `key` (`global` or `local`), its keys checked.
    func block(_ key: String) throws(GameFileError) -> AlternatingBlock {
        let node = try required(key)
        let pairs = try r.object(node, key)
        try r.checkKeys(pairs, known: AlternatingGameFile.blockKeys, field: key)
        return AlternatingBlock(key: key, node: node, pairs: pairs)
    }

    /// A key the block must have.
    func need(_ block: AlternatingBlock, _ key: String) throws(GameFileError) -> DocumentNode {
        guard let node = block.optional(key) else {
            throw r.error("\(block.key).\(key)", block.node, "missing, expected a value (see Docs/Alternating.md)")
        }
        return node
    }

    /// Phase 2: the variables `sg ag tg sl al tl`, the sizes and the names of both blocks.
    func declareSchema(_ spaces: AlternatingSpaces, agents n: Int) throws(GameFileError) -> (Schema, [String: ScalarSlot]) {
        var schema = Schema()
        var slots: [String: ScalarSlot] = [:]
        do throws(ExpressionError) {
            for variable in AlternatingSpaces.variables { slots[variable] = try schema.declareScalar(variable) }
            try schema.declareConstant("agents", value: Double(n))
            try schema.declareConstant("gstates", value: Double(spaces.global.names.count))
            try schema.declareConstant("gactions", value: Double(spaces.globalActions.names.count))
            try schema.declareConstant("lstates", value: Double(spaces.local.names.count))
            try schema.declareConstant("lactions", value: Double(spaces.localActions.names.count))
        } catch {
            throw r.error("", nil, "internal schema error: \(error)")
        }
        let named = [(spaces.global, "states", "global"), (spaces.globalActions, "actions", "global"),
                     (spaces.local, "states", "local"), (spaces.localActions, "actions", "local")]
        for (space, key, block) in named where space.named {
            for (k, nm) in space.names.enumerated() {
                do throws(ExpressionError) { try schema.declareConstant(nm, value: Double(k)) } catch {
                    throw r.error("\(block).\(key)[\(k)]", nil, "name '\(nm)' cannot be used: \(error.message) (names must differ across both blocks, parameters and the variables sg, ag, tg, sl, al, tl)")
                }
            }
        }
        return (schema, slots)
    }

    /// Phase 3: the four expressions compiled and evaluated into tables.
    func tabulate(_ spaces: AlternatingSpaces, schema: Schema, slots: [String: ScalarSlot], globalBlock: AlternatingBlock,
                  localBlock: AlternatingBlock) throws(GameFileError) -> AlternatingTables {
        func compile(_ node: DocumentNode, _ fieldName: String, _ variables: [String]) throws(GameFileError) -> AlternatingExpression {
            let source = try r.expressionSource(node, fieldName)
            do throws(ExpressionError) {
                return AlternatingExpression(expression: try CompiledExpression(source, schema: schema.restricted(toVariables: variables)),
                                             field: fieldName, node: node)
            } catch {
                throw r.error(fieldName, node, "\(error.description) in '\(source)'")
            }
        }
        let gr = try compile(try need(globalBlock, "reward"), "global.reward", ["sg", "ag"])
        let gt = try compile(try need(globalBlock, "transition"), "global.transition", ["sg", "ag", "tg"])
        let lr = try compile(try need(localBlock, "reward"), "local.reward", ["sl", "sg", "al"])
        let lt = try compile(try need(localBlock, "transition"), "local.transition", ["sl", "sg", "al", "tl"])
        var evaluator = AlternatingEvaluator(reader: r, schema: schema, slots: slots, spaces: spaces)
        var tables = AlternatingTables(spaces)
        for s in 0..<spaces.global.names.count {
            try evaluator.globalRows(s, reward: gr, transition: gt, into: &tables)
            try evaluator.localRows(s, reward: lr, transition: lt, into: &tables)
        }
        return tables
    }

    /// Phase 4: the `learning` block.
    func readLearning() throws(GameFileError) -> LearningSettings {
        var settings = LearningSettings()
        guard let lb = field("learning"), lb.value != .null else { return settings }
        let pairs = try r.object(lb, "learning")
        try r.checkKeys(pairs, known: AlternatingGameFile.learningKeys, field: "learning")
        for (key, node) in pairs {
            let f = "learning.\(key)"
            switch key {
            case "episodes": settings.episodes = try r.integer(node, f, range: 1...100_000_000)
            case "horizon": settings.horizon = try r.integer(node, f, range: 1...1_000_000)
            case "exploration": settings.exploration = try r.number(node, f, where: { (0...1).contains($0) }, expected: "a number in [0, 1]")
            case "stepExponent": settings.stepExponent = try r.number(node, f, where: { $0 > 0.5 && $0 <= 1 }, expected: "0.5 < stepExponent <= 1")
            case "rounds": settings.rounds = try r.integer(node, f, range: 1...10_000)
            case "seed": settings.seed = UInt64(try r.integer(node, f, range: 0...Int(Int32.max)))
            case "tolerance": settings.tolerance = try r.number(node, f, where: { $0 > 0 }, expected: "a number > 0")
            default: break
            }
        }
        return settings
    }
}

/// The four spaces of a global/local game file (names, and whether they were given as names).
struct AlternatingSpaces {
    static let variables = ["sg", "ag", "tg", "sl", "al", "tl"]
    let global: (names: [String], named: Bool)
    let globalActions: (names: [String], named: Bool)
    let local: (names: [String], named: Bool)
    let localActions: (names: [String], named: Bool)
}

/// A compiled expression with the field and node named in its errors.
struct AlternatingExpression {
    let expression: CompiledExpression
    let field: String
    let node: DocumentNode
}

/// The model's four tables.
struct AlternatingTables {
    var rg: [[Double]]
    var pg: [[[Double]]]
    var rl: [[[Double]]]
    var pl: [[[[Double]]]]

    init(_ spaces: AlternatingSpaces) {
        let g = spaces.global.names.count, mg = spaces.globalActions.names.count
        let l = spaces.local.names.count, ml = spaces.localActions.names.count
        rg = [[Double]](repeating: [Double](repeating: 0, count: mg), count: g)
        pg = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: g), count: mg), count: g)
        rl = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: ml), count: l), count: g)
        pl = [[[[Double]]]](repeating: [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: l), count: ml), count: l), count: g)
    }
}

/// Evaluates the compiled expressions at every index, checking probability rows.
struct AlternatingEvaluator {
    let reader: FieldReader
    let spaces: AlternatingSpaces
    var env: Environment
    let slots: [String: ScalarSlot]

    init(reader: FieldReader, schema: Schema, slots: [String: ScalarSlot], spaces: AlternatingSpaces) {
        self.reader = reader
        self.spaces = spaces
        env = Environment(schema: schema)
        self.slots = slots
    }

    mutating func set(_ variable: String, _ value: Int) {
        if let slot = slots[variable] { env[slot] = Double(value) }
    }

    func eval(_ e: AlternatingExpression, _ at: String) throws(GameFileError) -> Double {
        do throws(ExpressionError) { return try e.expression.evaluate(in: env) } catch {
            throw reader.error(e.field, e.node, "at \(at): \(error.message)")
        }
    }

    /// A probability row over `names` of the next-state variable `next`.
    mutating func row(_ e: AlternatingExpression, next: String, names: [String], _ at: String) throws(GameFileError) -> [Double] {
        var row = [Double](repeating: 0, count: names.count)
        for t in names.indices {
            set(next, t)
            let p = try eval(e, "\(at), \(next)=\(names[t])")
            guard p >= 0 else { throw reader.error(e.field, e.node, "at \(at), \(next)=\(names[t]): found \(p), expected a probability >= 0") }
            row[t] = p
        }
        let total = row.reduce(0, +)
        guard abs(total - 1) <= 1e-9 else { throw reader.error(e.field, e.node, "at \(at): row sums to \(total), expected 1 (within 1e-9)") }
        return row
    }

    /// `r_g(s, ·)` and `P_g(·|s, ·)`.
    mutating func globalRows(_ s: Int, reward: AlternatingExpression, transition: AlternatingExpression,
                             into tables: inout AlternatingTables) throws(GameFileError) {
        set("sg", s)
        for a in spaces.globalActions.names.indices {
            set("ag", a)
            let at = "sg=\(spaces.global.names[s]), ag=\(spaces.globalActions.names[a])"
            tables.rg[s][a] = try eval(reward, at)
            tables.pg[s][a] = try row(transition, next: "tg", names: spaces.global.names, at)
        }
    }

    /// `r_l(·, s, ·)` and `P_l(·|·, s, ·)`.
    mutating func localRows(_ s: Int, reward: AlternatingExpression, transition: AlternatingExpression,
                            into tables: inout AlternatingTables) throws(GameFileError) {
        set("sg", s)
        for x in spaces.local.names.indices {
            set("sl", x)
            for a in spaces.localActions.names.indices {
                set("al", a)
                let at = "sl=\(spaces.local.names[x]), sg=\(spaces.global.names[s]), al=\(spaces.localActions.names[a])"
                tables.rl[s][x][a] = try eval(reward, at)
                tables.pl[s][x][a] = try row(transition, next: "tl", names: spaces.local.names, at)
            }
        }
    }
}
