import Ambiguity

/// A stationary robust mean-field game (Docs/Theory.md, §1).
///
/// `n` states, `m` actions, a discount `γ ∈ [0, 1)`, and three functions of the
/// mean field `μ`: the reward `r(s, a, μ)`, the nominal kernel `P̂(·|s, a, μ)`
/// (a `SparseDistribution` per `(s, a)`) and the radius `ρ(s, a, μ)` of the
/// `(s,a)`-rectangular ambiguity set ``ambiguity``.
///
/// The functions are `@Sendable` closures that may throw a ``ModelError`` (a game
/// file's expression that fails at some `μ`), so a game can be built from
/// tables (``init(rewards:kernels:radii:discount:ambiguity:stateNames:actionNames:)``)
/// or from compiled expressions (``init(stateCount:actionCount:discount:ambiguity:stateNames:actionNames:reward:kernel:kernelDependsOnMeanField:radius:radiusDependsOnMeanField:)``).
/// The solvers only ever read a game through an evaluated ``GameSnapshot``.
///
/// Validation: the initializer checks the structure and evaluates the game at the
/// uniform mean field; ``snapshot(at:)`` validates every evaluation again, so data
/// that become invalid at some visited `μ` are reported with `(s, a)` and the value,
/// and a function that throws stops the evaluation with
/// ``MeanFieldError/model(state:action:error:)``.
public struct MeanFieldGame: Sendable {
    /// `r(s, a, μ)`: must return a finite number, or throw a ``ModelError`` saying why it cannot.
    public typealias RewardFunction = @Sendable (_ state: Int, _ action: Int, _ meanField: [Double]) throws(ModelError) -> Double
    /// `P̂(·|s, a, μ)`: strictly increasing indices in `0..<n`, entries `≥ 0` summing to 1 within `1e-9`
    /// (or a thrown ``ModelError``).
    public typealias KernelFunction = @Sendable (_ state: Int, _ action: Int, _ meanField: [Double]) throws(ModelError) -> SparseDistribution
    /// `r(s, a, μ)` of every row `s·m + a` at once, exactly the values of the game's
    /// ``RewardFunction``, or `nil` when a row fails or is not finite.
    package typealias RewardRowsFunction = @Sendable (_ meanField: [Double]) -> [Double]?
    /// `P̂(·|s, a, μ)` of the rows `s·m + a` in `rows`, in order, written into `output` (each
    /// closed by ``KernelRowWriter/endRow(_:)``): exactly the rows of the game's
    /// ``KernelFunction``, with its errors (``MeanFieldError/model(state:action:error:)`` for a
    /// row whose function throws), stopping at the first row that fails.
    package typealias KernelRowsFunction = @Sendable (_ rows: Range<Int>, _ meanField: [Double],
                                                      _ output: inout KernelRowWriter) throws(MeanFieldError) -> Void
    /// Called once per evaluation of every kernel row at `meanField`, before the chunks: the
    /// rows themselves, the ``KernelRowsFunction`` the chunks run at that mean field (for example
    /// one reading values computed once for it), or `nil` for the game's own
    /// (``PreparedKernelRows``).
    package typealias KernelRowsPreparation = @Sendable (_ meanField: [Double]) -> PreparedKernelRows?
    /// `ρ(s, a, μ)`: must return a finite number `≥ 0`, or throw a ``ModelError``.
    public typealias RadiusFunction = @Sendable (_ state: Int, _ action: Int, _ meanField: [Double]) throws(ModelError) -> Double

    /// The tolerance on `|Σ_t P̂(t|s,a) − 1|` accepted by validation.
    public static let probabilityTolerance = 1e-9

    /// The number of states `n ≥ 1`.
    public let stateCount: Int
    /// The number of actions `m ≥ 1`.
    public let actionCount: Int
    /// The discount `γ ∈ [0, 1)`.
    public let discount: Double
    /// The ambiguity set's distance and support (its radius comes from ``radius(_:_:_:)``).
    public let ambiguity: AmbiguitySet
    /// Optional state names, one per state.
    public let stateNames: [String]?
    /// Optional action names, one per action.
    public let actionNames: [String]?
    /// Whether `P̂` depends on `μ`; when `false` the kernels are evaluated once and reused.
    public let kernelsDependOnMeanField: Bool
    /// Whether `ρ` depends on `μ`; when `false` the radii are evaluated once and reused.
    public let radiiDependOnMeanField: Bool

    /// A row's polyhedral ambiguity set (`moment`, `polyhedral`) from `(s, a, μ)` and the
    /// row's nominal `p` (dense); see ``withRowSets(_:)``.
    public typealias RowSetFunction = @Sendable (_ state: Int, _ action: Int, _ meanField: [Double],
                                                 _ nominal: [Double]) throws(AmbiguityError) -> PolyhedralSet

    /// Per-row polyhedral sets replacing ``ambiguity`` and the radii, when set.
    public private(set) var rowSetFunction: RowSetFunction?

    let rewardFunction: RewardFunction
    /// Every row's reward at once (``withRewardRows(_:)``), or `nil`.
    private(set) var rewardRowsFunction: RewardRowsFunction?
    let kernelFunction: KernelFunction
    /// Chunks of kernel rows at once (``withKernelRows(_:entriesPerRow:)``), or `nil`.
    private(set) var kernelRowsFunction: KernelRowsFunction?
    /// The per-mean-field form of ``kernelRowsFunction`` (``withKernelRows(_:entriesPerRow:preparation:)``), or `nil`.
    private(set) var kernelRowsPreparation: KernelRowsPreparation?
    /// The entries a row of ``kernelRowsFunction`` has at most, or 0 when not known.
    private(set) var kernelRowsEntryHint = 0
    let radiusFunction: RadiusFunction
    private(set) var fixedKernels: [SparseDistribution]?
    /// ``fixedKernels`` in flat form with their sweep slots, built once for every snapshot.
    private(set) var fixedLayout: NominalLayout?
    private(set) var fixedRadii: [Double]?

    /// Builds a game from closures and validates it.
    ///
    /// - Parameters:
    ///   - stateCount: `n ≥ 1`.
    ///   - actionCount: `m ≥ 1`.
    ///   - discount: `γ ∈ [0, 1)`.
    ///   - ambiguity: the set's distance (default `AmbiguitySet.nominalOnly`, the classical game).
    ///     `l1` weights and a `wasserstein` cost must have `n` entries per axis.
    ///   - stateNames: optional names, one per state.
    ///   - actionNames: optional names, one per action.
    ///   - reward: `r(s, a, μ)`.
    ///   - kernel: `P̂(·|s, a, μ)`.
    ///   - kernelDependsOnMeanField: pass `false` when `P̂` ignores `μ`, so it is evaluated once.
    ///   - radius: `ρ(s, a, μ)` (default 0).
    ///   - radiusDependsOnMeanField: pass `false` when `ρ` ignores `μ`.
    /// - Complexity: evaluates every `(s, a)` once at the uniform mean field, `O(n·m·k)`
    ///   for rows with `k` non-zeros.
    /// - Throws: ``MeanFieldError/invalidGame(field:message:)`` for the structure,
    ///   ``MeanFieldError/invalidReward(state:action:value:)``,
    ///   ``MeanFieldError/invalidKernel(state:action:message:)`` or
    ///   ``MeanFieldError/invalidRadius(state:action:value:)`` for data at the uniform `μ`,
    ///   ``MeanFieldError/model(state:action:error:)`` when a function throws there.
    public init(
        stateCount: Int, actionCount: Int, discount: Double,
        ambiguity: AmbiguitySet = .nominalOnly,
        stateNames: [String]? = nil, actionNames: [String]? = nil,
        reward: @escaping RewardFunction,
        kernel: @escaping KernelFunction, kernelDependsOnMeanField: Bool = true,
        radius: @escaping RadiusFunction = { _, _, _ in 0 }, radiusDependsOnMeanField: Bool = true
    ) throws(MeanFieldError) {
        try self.init(stateCount: stateCount, actionCount: actionCount, discount: discount, ambiguity: ambiguity,
                      stateNames: stateNames, actionNames: actionNames, reward: reward, rewardRows: nil, kernel: kernel,
                      kernelDependsOnMeanField: kernelDependsOnMeanField, fixedRows: nil,
                      radius: radius, radiusDependsOnMeanField: radiusDependsOnMeanField)
    }

    /// The closure initializer with every row's reward at once (``withRewardRows(_:)``), used
    /// from the validation at the uniform mean field on (game files: the first snapshot's
    /// rewards with one set-up of the expression VM instead of one per row).
    ///
    /// - Precondition: as ``withRewardRows(_:)``.
    /// - Throws: as ``init(stateCount:actionCount:discount:ambiguity:stateNames:actionNames:reward:kernel:kernelDependsOnMeanField:radius:radiusDependsOnMeanField:)``.
    package init(
        stateCount: Int, actionCount: Int, discount: Double, ambiguity: AmbiguitySet = .nominalOnly,
        stateNames: [String]? = nil, actionNames: [String]? = nil, reward: @escaping RewardFunction,
        rewardRows: RewardRowsFunction?, kernel: @escaping KernelFunction, kernelDependsOnMeanField: Bool = true,
        radius: @escaping RadiusFunction = { _, _, _ in 0 }, radiusDependsOnMeanField: Bool = true
    ) throws(MeanFieldError) {
        try self.init(stateCount: stateCount, actionCount: actionCount, discount: discount, ambiguity: ambiguity,
                      stateNames: stateNames, actionNames: actionNames, reward: reward, rewardRows: rewardRows, kernel: kernel,
                      kernelDependsOnMeanField: kernelDependsOnMeanField, fixedRows: nil,
                      radius: radius, radiusDependsOnMeanField: radiusDependsOnMeanField)
    }

    /// Builds a game whose kernels do not depend on `μ` from rows already in flat form, kept
    /// only in that form: no pair of arrays per row (the `n·m` rows of a game file's stored
    /// kernels; Docs/Performance.md, section 10). The game is the one the closure initializer
    /// builds from a kernel function returning these rows, and its snapshots' rows are the same
    /// bit for bit; ``GameSnapshot/kernels`` then builds the rows when read.
    ///
    /// - Parameters:
    ///   - kernelRows: row `s·m + a` is `P̂(·|s, a)`: strictly increasing indices in
    ///     `0..<n`, finite entries `> 0` summing to 1 within `1e-9`.
    ///   - rewardRows: every row's reward at once, as ``withRewardRows(_:)`` sets it (from the
    ///     validation on), or `nil`.
    /// - Throws: as the closure initializer; ``MeanFieldError/invalidKernel(state:action:message:)``
    ///   also for a zero entry, and ``MeanFieldError/invalidGame(field:message:)`` when there are not `n·m` rows.
    package init(
        stateCount: Int, actionCount: Int, discount: Double, ambiguity: AmbiguitySet = .nominalOnly,
        stateNames: [String]? = nil, actionNames: [String]? = nil, reward: @escaping RewardFunction,
        rewardRows: RewardRowsFunction? = nil, kernelRows: KernelRows, radius: @escaping RadiusFunction = { _, _, _ in 0 },
        radiusDependsOnMeanField: Bool = true
    ) throws(MeanFieldError) {
        let m = actionCount
        try self.init(stateCount: stateCount, actionCount: actionCount, discount: discount, ambiguity: ambiguity,
                      stateNames: stateNames, actionNames: actionNames, reward: reward, rewardRows: rewardRows,
                      kernel: { s, a, _ in kernelRows.row(s * m + a) }, kernelDependsOnMeanField: false, fixedRows: kernelRows,
                      radius: radius, radiusDependsOnMeanField: radiusDependsOnMeanField)
    }

    /// The closure initializer; with `fixedRows` (kernels that do not depend on `μ`) the rows are
    /// validated and kept in flat form instead of being evaluated through `kernel`; with
    /// `rewardRows`, the rewards are evaluated by it from the validation on.
    private init(
        stateCount: Int, actionCount: Int, discount: Double, ambiguity: AmbiguitySet, stateNames: [String]?,
        actionNames: [String]?, reward: @escaping RewardFunction, rewardRows: RewardRowsFunction?, kernel: @escaping KernelFunction,
        kernelDependsOnMeanField: Bool, fixedRows: KernelRows?, radius: @escaping RadiusFunction, radiusDependsOnMeanField: Bool
    ) throws(MeanFieldError) {
        guard stateCount >= 1 else { throw .invalidGame(field: .states, message: "\(stateCount), expected at least 1") }
        guard actionCount >= 1 else { throw .invalidGame(field: .actions, message: "\(actionCount), expected at least 1") }
        guard discount.isFinite, discount >= 0, discount < 1 else {
            throw .invalidGame(field: .discount, message: "\(discount), expected 0 <= discount < 1")
        }
        if let stateNames, stateNames.count != stateCount {
            throw .invalidGame(field: .stateNames, message: "\(stateNames.count) names, expected \(stateCount)")
        }
        if let actionNames, actionNames.count != actionCount {
            throw .invalidGame(field: .actionNames, message: "\(actionNames.count) names, expected \(actionCount)")
        }
        if let w = ambiguity.weights, w.count != stateCount {
            throw .invalidGame(field: .ambiguityWeights, message: "\(w.count) weights, expected one per state (\(stateCount))")
        }
        if let c = ambiguity.cost, c.count != stateCount {
            throw .invalidGame(field: .ambiguityCost, message: "a \(c.count)x\(c.count) cost, expected \(stateCount)x\(stateCount)")
        }
        self.stateCount = stateCount
        self.actionCount = actionCount
        self.discount = discount
        self.ambiguity = ambiguity
        self.stateNames = stateNames
        self.actionNames = actionNames
        self.kernelsDependOnMeanField = kernelDependsOnMeanField
        self.radiiDependOnMeanField = radiusDependsOnMeanField
        self.rewardFunction = reward
        self.rewardRowsFunction = rewardRows
        self.kernelFunction = kernel
        self.radiusFunction = radius
        self.fixedKernels = nil
        self.fixedLayout = nil
        self.fixedRadii = nil
        if let fixedRows {
            try Self.validate(fixedRows, stateCount: stateCount, actionCount: actionCount)
            fixedLayout = NominalLayout(rows: fixedRows)
        }
        // Validate everything once at the uniform mean field, and keep what does not depend on μ.
        let uniform = [Double](repeating: 1 / Double(stateCount), count: stateCount)
        let first = try self.evaluate(at: uniform)
        if !kernelDependsOnMeanField, fixedRows == nil {
            fixedKernels = first.rowArrays
            fixedLayout = first.layout
        }
        if !radiusDependsOnMeanField { fixedRadii = first.radii }
    }

    /// Builds a game from tables that do not depend on `μ`.
    ///
    /// - Parameters:
    ///   - rewards: `rewards[s][a]`, an `n × m` table.
    ///   - kernels: `kernels[s][a]`, the nominal row `P̂(·|s, a)`.
    ///   - radii: `radii[s][a]`; `nil` means 0 everywhere.
    ///   - discount: `γ ∈ [0, 1)`.
    ///   - ambiguity: the set's distance (default `AmbiguitySet.nominalOnly`).
    ///   - stateNames: optional names, one per state.
    ///   - actionNames: optional names, one per action.
    /// - Throws: as the closure initializer, plus ``MeanFieldError/invalidGame(field:message:)``
    ///   when a table does not have the shape `n × m` given by `rewards`.
    public init(
        rewards: [[Double]], kernels: [[SparseDistribution]], radii: [[Double]]? = nil,
        discount: Double, ambiguity: AmbiguitySet = .nominalOnly,
        stateNames: [String]? = nil, actionNames: [String]? = nil
    ) throws(MeanFieldError) {
        let n = rewards.count
        let m = rewards.first?.count ?? 0
        for (s, row) in rewards.enumerated() where row.count != m {
            throw .invalidGame(field: .reward, message: "row \(s) has \(row.count) actions, expected \(m)")
        }
        guard kernels.count == n else {
            throw .invalidGame(field: .transition, message: "\(kernels.count) states, expected \(n)")
        }
        for (s, row) in kernels.enumerated() where row.count != m {
            throw .invalidGame(field: .transition, message: "row \(s) has \(row.count) actions, expected \(m)")
        }
        if let radii {
            guard radii.count == n else { throw .invalidGame(field: .ambiguityRadius, message: "\(radii.count) states, expected \(n)") }
            for (s, row) in radii.enumerated() where row.count != m {
                throw .invalidGame(field: .ambiguityRadius, message: "row \(s) has \(row.count) actions, expected \(m)")
            }
        }
        let r = rewards, k = kernels, rho = radii
        try self.init(stateCount: n, actionCount: m, discount: discount, ambiguity: ambiguity,
                      stateNames: stateNames, actionNames: actionNames,
                      reward: { s, a, _ in r[s][a] }, rewardRows: nil,
                      kernel: { s, a, _ in k[s][a] }, kernelDependsOnMeanField: false,
                      radius: { s, a, _ in rho?[s][a] ?? 0 }, radiusDependsOnMeanField: false)
    }

    /// A copy of the game with another ambiguity set and radius function (same
    /// rewards, kernels and names). Useful to compare the robust and nominal game.
    ///
    /// - Throws: as ``init(stateCount:actionCount:discount:ambiguity:stateNames:actionNames:reward:kernel:kernelDependsOnMeanField:radius:radiusDependsOnMeanField:)``.
    public func with(ambiguity: AmbiguitySet, radius: @escaping RadiusFunction,
                     radiusDependsOnMeanField: Bool = true) throws(MeanFieldError) -> MeanFieldGame {
        // Flat rows stay flat (`fixedLayout` without `fixedKernels`).
        let flatRows = fixedKernels == nil ? fixedLayout?.rows : nil
        var game = try MeanFieldGame(stateCount: stateCount, actionCount: actionCount, discount: discount,
                                     ambiguity: ambiguity, stateNames: stateNames, actionNames: actionNames,
                                     reward: rewardFunction, rewardRows: rewardRowsFunction, kernel: kernelFunction,
                                     kernelDependsOnMeanField: kernelsDependOnMeanField, fixedRows: flatRows,
                                     radius: radius, radiusDependsOnMeanField: radiusDependsOnMeanField)
        game.kernelRowsFunction = kernelRowsFunction  // and kernels
        game.kernelRowsPreparation = kernelRowsPreparation
        game.kernelRowsEntryHint = kernelRowsEntryHint
        return game
    }

    /// `r(s, a, μ)` as given by the game's function (not validated).
    ///
    /// - Throws: the ``ModelError`` the function throws.
    public func reward(_ state: Int, _ action: Int, _ meanField: [Double]) throws(ModelError) -> Double {
        try rewardFunction(state, action, meanField)
    }

    /// `ρ(s, a, μ)` as given by the game's function (not validated).
    ///
    /// - Throws: the ``ModelError`` the function throws.
    public func radius(_ state: Int, _ action: Int, _ meanField: [Double]) throws(ModelError) -> Double {
        try radiusFunction(state, action, meanField)
    }

    /// This game with the ambiguity set of every row given by `rowSet` — a general
    /// polyhedral set (`PolyhedralSet`: moment constraints, linear constraints, an
    /// optional ball) that has no closed form. Every inner problem of such a game is
    /// solved by the LP inner path (``InnerMethod/lp``) whatever the options say;
    /// ``ambiguity`` and the radii are then ignored.
    ///
    /// - Throws: ``MeanFieldError/ambiguity(_:)`` when a row's set is invalid at the
    ///   uniform mean field (`p` outside the set, bad numbers), naming the row.
    public func withRowSets(_ rowSet: @escaping RowSetFunction) throws(MeanFieldError) -> MeanFieldGame {
        var game = self
        game.rowSetFunction = rowSet
        _ = try game.snapshot(at: [Double](repeating: 1 / Double(stateCount), count: stateCount))
        return game
    }

    /// The sets of ``rowSetFunction`` at `μ`, each checked to contain its nominal row.
    func rowSets(at mu: [Double], snapshot: GameSnapshot) throws(MeanFieldError) -> [PolyhedralSet]? {
        guard let rowSetFunction else { return nil }
        let n = stateCount, m = actionCount
        var sets: [PolyhedralSet] = []
        sets.reserveCapacity(n * m)
        for s in 0..<n {
            for a in 0..<m {
                let p = snapshot.kernel(s * m + a).dense(count: n)
                do throws(AmbiguityError) {
                    let set = try rowSetFunction(s, a, mu, p)
                    try set.validate(nominal: p, values: [Double](repeating: 0, count: n))
                    sets.append(set)
                } catch {
                    throw .ambiguity(.invalidArgument(field: .row(state: s, action: a), message: error.description))
                }
            }
        }
        return sets
    }

    /// Checks that `μ` is a probability vector of length `n` (entries `≥ 0`, sum 1 within `1e-9`).
    ///
    /// - Throws: ``MeanFieldError/invalidMeanField(_:)`` naming the first bad entry.
    public func validateMeanField(_ meanField: [Double]) throws(MeanFieldError) {
        guard meanField.count == stateCount else {
            throw .invalidMeanField("\(meanField.count) entries, expected \(stateCount)")
        }
        var sum = 0.0
        for (s, x) in meanField.enumerated() {
            guard x.isFinite, x >= 0 else { throw .invalidMeanField("μ(\(s)) = \(x), expected a finite number >= 0") }
            sum += x
        }
        guard abs(sum - 1) <= Self.probabilityTolerance else {
            throw .invalidMeanField("entries sum to \(sum), expected 1 within \(Self.probabilityTolerance)")
        }
    }

    /// Evaluates the game at `μ`: rewards, kernels and radii of every `(s, a)`.
    ///
    /// Kernels and radii that do not depend on `μ` are reused from construction.
    /// Zero entries of a kernel are dropped (so `support: nominal` sees `supp(P̂)`).
    ///
    /// - Complexity: `O(n·m·k)` for rows with `k` non-zeros (`O(n·m)` when only rewards depend on `μ`).
    /// - Throws: ``MeanFieldError/invalidMeanField(_:)``, ``MeanFieldError/invalidReward(state:action:value:)``,
    ///   ``MeanFieldError/invalidKernel(state:action:message:)`` or ``MeanFieldError/invalidRadius(state:action:value:)``,
    ///   ``MeanFieldError/model(state:action:error:)`` for the first function call that throws (rewards,
    ///   then kernels, then radii, each by increasing `s·m + a`).
    public func snapshot(at meanField: [Double]) throws(MeanFieldError) -> GameSnapshot {
        try validateMeanField(meanField)
        return try evaluate(at: meanField)
    }

    /// ``snapshot(at:)`` without the rewards (every reward 0): the kernels, radii and row sets
    /// at `meanField`, bit for bit those of ``snapshot(at:)``, for sweeps that read only
    /// nature's worst cases (the refreshes of the frozen-policy crowd steps, which never read
    /// `Q`; about a quarter of a crowd grid's snapshot is its rewards). An invalid reward at
    /// `meanField` is not reported.
    ///
    /// The snapshot's rewards are `placeholder` when it has one entry per row (a caller that
    /// refreshes often keeps one array of zeros instead of allocating `n·m` doubles each time),
    /// else zeros.
    ///
    /// - Throws: the errors of ``snapshot(at:)`` except those of the rewards.
    func kernelSnapshot(at meanField: [Double], placeholder: [Double] = []) throws(MeanFieldError) -> GameSnapshot {
        try validateMeanField(meanField)
        return try evaluate(at: meanField, rewards: false, placeholder: placeholder)
    }

    /// Evaluates every function at `mu`, in a fixed order (rewards, kernels, radii); each is
    /// evaluated over its rows in parallel when there are enough (``ParallelRows``), and
    /// reports the failure of its lowest row `s·m + a`, so the first failure reported is the
    /// same on every run.
    private func evaluate(at mu: [Double], rewards withRewards: Bool = true, placeholder: [Double] = []) throws(MeanFieldError)
        -> GameSnapshot {
        let rewards: [Double]
        if withRewards {
            rewards = try evaluateRewards(at: mu)
        } else if placeholder.count == stateCount * actionCount {
            rewards = placeholder
        } else {
            rewards = [Double](repeating: 0, count: stateCount * actionCount)
        }
        let kernels: [SparseDistribution]?
        let layout: NominalLayout
        if let fixedLayout {
            (kernels, layout) = (fixedKernels, fixedLayout)
        } else if let kernelRowsFunction {
            let flat: NominalLayout
            switch kernelRowsPreparation?(mu) {
            case let .rows(rows, slots)?: flat = NominalLayout(rows: rows, slots: slots)
            case let .function(function)?: flat = NominalLayout(rows: try evaluateKernelsInChunks(at: mu, function))
            case nil: flat = NominalLayout(rows: try evaluateKernelsInChunks(at: mu, kernelRowsFunction))
            }
            // Sweeps of sets that do not write rows in place, and row sets, read the rows as
            // distributions at every sweep: those snapshots keep them built once.
            let keepRows = !ambiguity.writesRowsInPlace || rowSetFunction != nil
            (kernels, layout) = (keepRows ? flat.rows.rows : nil, flat)
        } else {
            let rows = try evaluateKernels(at: mu)
            (kernels, layout) = (rows, NominalLayout(kernels: rows))
        }
        let radii: [Double]
        if let fixedRadii { radii = fixedRadii } else { radii = try evaluateRadii(at: mu) }
        var snapshot = GameSnapshot(meanField: mu, stateCount: stateCount, actionCount: actionCount, discount: discount,
                                    ambiguity: ambiguity, rewards: rewards, rowArrays: kernels, layout: layout, radii: radii)
        snapshot.rowSets = try rowSets(at: mu, snapshot: snapshot)
        return snapshot
    }

    /// This game with `rows` computing every row's reward at once, where the rows are too few to
    /// be split between threads (game files: one set-up of the expression VM per mean field
    /// instead of one per row; Docs/Performance.md, section 4, "Fifth round").
    ///
    /// - Precondition: `rows(μ)` is `nil` or, bit for bit, the values of the reward function at
    ///   `μ` in row order `s·m + a`, all finite; it is `nil` whenever one of them throws or is not
    ///   finite (the rows are then evaluated one by one, which reports the error).
    package func withRewardRows(_ rows: @escaping RewardRowsFunction) -> MeanFieldGame {
        var game = self
        game.rewardRowsFunction = rows
        return game
    }

    /// `r(s, a, μ)` for every row, each checked finite.
    private func evaluateRewards(at mu: [Double]) throws(MeanFieldError) -> [Double] {
        let m = actionCount, reward = rewardFunction
        if let rewardRowsFunction, let rewards = rewardRowsFunction(mu), rewards.count == stateCount * m {
            return rewards
        }
        return try ParallelRows.map(count: stateCount * m, fill: 0) { row throws(MeanFieldError) in
            let s = row / m, a = row % m
            let r: Double
            do throws(ModelError) { r = try reward(s, a, mu) } catch { throw .model(state: s, action: a, error: error) }
            guard r.isFinite else { throw .invalidReward(state: s, action: a, value: r) }
            return r
        }
    }

    /// `P̂(·|s, a, μ)` for every row, each validated (zero entries dropped).
    private func evaluateKernels(at mu: [Double]) throws(MeanFieldError) -> [SparseDistribution] {
        let n = stateCount, m = actionCount, kernel = kernelFunction
        let empty = SparseDistribution(indices: [], probabilities: [])
        return try ParallelRows.map(count: n * m, fill: empty) { row throws(MeanFieldError) in
            let s = row / m, a = row % m
            let p: SparseDistribution
            do throws(ModelError) { p = try kernel(s, a, mu) } catch { throw .model(state: s, action: a, error: error) }
            return try Self.validatedRow(p, state: s, action: a, stateCount: n)
        }
    }

    /// This game with `rows` writing chunks of kernel rows straight into flat storage (game files:
    /// one set-up of the expression VM per chunk of rows, and no arrays per row; Docs/Performance.md,
    /// section 8, "Eighth round"), or without such a function when `rows` is `nil`. Snapshots
    /// then hold the kernels in flat form only (``GameSnapshot/kernels`` builds the rows on demand).
    ///
    /// - Precondition: `rows` writes, bit for bit, the rows of the game's kernel function after
    ///   the validation of the closure path (zero entries dropped), and fails where and as it does.
    /// - Parameters:
    ///   - entriesPerRow: the entries a row has at most (room reserved per chunk), or 0.
    ///   - preparation: called once per mean field before the chunks
    ///     (``KernelRowsPreparation``); the function it returns replaces `rows` at that mean field.
    package func withKernelRows(_ rows: KernelRowsFunction?, entriesPerRow: Int = 0,
                                preparation: KernelRowsPreparation? = nil) -> MeanFieldGame {
        var game = self
        game.kernelRowsFunction = rows
        game.kernelRowsPreparation = rows == nil ? nil : preparation
        game.kernelRowsEntryHint = max(0, entriesPerRow)
        return game
    }

    /// `P̂(·|s, a, μ)` for every row by ``kernelRowsFunction``: chunks of ``ParallelRows/chunkRows``
    /// rows, in parallel from ``ExecutionMode/parallelRowThreshold`` rows on with one writer per
    /// worker's run of chunks; the error reported is that of the lowest failing row, as in
    /// ``evaluateKernels(at:)``.
    private func evaluateKernelsInChunks(at mu: [Double], _ function: KernelRowsFunction) throws(MeanFieldError) -> KernelRows {
        let n = stateCount, m = actionCount, count = n * m, hint = kernelRowsEntryHint
        guard count >= ExecutionMode.parallelRowThreshold else {
            var writer = KernelRowWriter(stateCount: n, actionCount: m, rows: count, entries: count * hint)
            try function(0..<count, mu, &writer)
            return KernelRows(joining: [writer])
        }
        let chunkRows = ParallelRows.chunkRows
        let chunks = (count + chunkRows - 1) / chunkRows
        var parts = [KernelRowWriter?](repeating: nil, count: chunks)
        var errors = [MeanFieldError?](repeating: nil, count: chunks)
        parts.withUnsafeMutableBufferPointer { written in
            errors.withUnsafeMutableBufferPointer { failures in
                guard let partBase = written.baseAddress, let failureBase = failures.baseAddress else { return }
                let written = DisjointSlices(base: partBase), failures = DisjointSlices(base: failureBase)
                Parallel.forEachChunk(count: chunks, mode: .parallel) { range in
                    let rows = (range.lowerBound * chunkRows)..<min(count, range.upperBound * chunkRows)
                    var writer = KernelRowWriter(stateCount: n, actionCount: m, rows: rows.count, entries: rows.count * hint)
                    for c in range {
                        do throws(MeanFieldError) {
                            try function((c * chunkRows)..<min(count, (c + 1) * chunkRows), mu, &writer)
                        } catch {
                            failures.base[c] = error
                            break
                        }
                    }
                    written.base[range.lowerBound] = writer
                }
            }
        }
        if let error = errors.lazy.compactMap({ $0 }).first { throw error }
        return KernelRows(joining: parts.compactMap { $0 })
    }

    /// `ρ(s, a, μ)` for every row, each checked finite and `≥ 0`.
    private func evaluateRadii(at mu: [Double]) throws(MeanFieldError) -> [Double] {
        let m = actionCount, radius = radiusFunction
        return try ParallelRows.map(count: stateCount * m, fill: 0) { row throws(MeanFieldError) in
            let s = row / m, a = row % m
            let rho: Double
            do throws(ModelError) { rho = try radius(s, a, mu) } catch { throw .model(state: s, action: a, error: error) }
            guard rho.isFinite, rho >= 0 else { throw .invalidRadius(state: s, action: a, value: rho) }
            return rho
        }
    }

    /// Checks flat fixed rows as ``validatedRow(_:state:action:stateCount:)`` checks a row (in
    /// row order, the same sums), and refuses zero entries, which that function would drop.
    static func validate(_ rows: KernelRows, stateCount n: Int, actionCount m: Int) throws(MeanFieldError) {
        guard rows.count == n * m else {
            throw .invalidGame(field: .transition, message: "\(rows.count) kernel rows, expected \(n * m)")
        }
        for row in 0..<rows.count {
            let s = row / m, a = row % m
            var previous = -1
            var sum = 0.0
            for j in rows.rowStart[row]..<rows.rowEnd[row] {
                let i = rows.indices[j], p = rows.probabilities[j]
                guard i > previous, i < n else {
                    throw .invalidKernel(state: s, action: a, message: "index \(i) out of order or outside 0..<\(n)")
                }
                guard p.isFinite, p > 0 else {
                    throw .invalidKernel(state: s, action: a, message: "P(\(i)) = \(p), expected a finite number > 0")
                }
                previous = i
                sum += p
            }
            guard abs(sum - 1) <= probabilityTolerance else {
                throw .invalidKernel(state: s, action: a, message: "entries sum to \(sum), expected 1 within \(probabilityTolerance)")
            }
        }
    }

    static func validatedRow(_ row: SparseDistribution, state s: Int, action a: Int, stateCount n: Int) throws(MeanFieldError) -> SparseDistribution {
        guard row.indices.count == row.probabilities.count else {
            throw .invalidKernel(state: s, action: a, message: "\(row.indices.count) indices but \(row.probabilities.count) probabilities")
        }
        var previous = -1
        var sum = 0.0
        var hasZero = false
        for (i, p) in zip(row.indices, row.probabilities) {
            guard i > previous, i < n else {
                throw .invalidKernel(state: s, action: a, message: "index \(i) out of order or outside 0..<\(n)")
            }
            guard p.isFinite, p >= 0 else {
                throw .invalidKernel(state: s, action: a, message: "P(\(i)) = \(p), expected a finite number >= 0")
            }
            if p == 0 { hasZero = true }
            previous = i
            sum += p
        }
        guard abs(sum - 1) <= probabilityTolerance else {
            throw .invalidKernel(state: s, action: a, message: "entries sum to \(sum), expected 1 within \(probabilityTolerance)")
        }
        guard hasZero else { return row }
        var idx: [Int] = [], pr: [Double] = []
        for (i, p) in zip(row.indices, row.probabilities) where p > 0 {
            idx.append(i)
            pr.append(p)
        }
        return SparseDistribution(indices: idx, probabilities: pr)
    }
}

/// A game evaluated at one mean field `μ`: everything a Bellman sweep reads.
///
/// Row `(s, a)` is stored at index `s·m + a` of ``rewards``, ``kernels`` and ``radii``.
/// Built only by ``MeanFieldGame/snapshot(at:)``, so its data are valid.
public struct GameSnapshot: Sendable {
    /// The mean field `μ` this snapshot was evaluated at.
    public let meanField: [Double]
    /// `n`.
    public let stateCount: Int
    /// `m`.
    public let actionCount: Int
    /// `γ`.
    public let discount: Double
    /// The ambiguity set (distance and support).
    public let ambiguity: AmbiguitySet
    /// `r(s, a, μ)`, `n·m` entries.
    public let rewards: [Double]
    /// `P̂(·|s, a, μ)` row by row as the game's kernel function returned them (zeros dropped),
    /// or `nil` when the game holds its kernels only in ``layout``'s flat form (game files'
    /// stored rows, Docs/Performance.md, section 10; and kernels written in flat form by a
    /// batch kernel function, section 8, unless the snapshot's sweeps read them as rows).
    let rowArrays: [SparseDistribution]?
    /// ``kernels`` in flat form with the slots sweeps write worst cases into.
    let layout: NominalLayout
    /// `P̂(·|s, a, μ)`, `n·m` rows with no zero entries.
    ///
    /// - Complexity: `O(1)` for games built from kernel functions or tables; for a game that
    ///   keeps its rows only in flat form (a game file's stored rows, or rows a batch kernel
    ///   function wrote) every access builds all `n·m` rows, `O(n·m·k)`: read single rows with
    ///   ``kernel(_:)``.
    public var kernels: [SparseDistribution] { rowArrays ?? layout.rows.rows }

    /// `P̂(·|s, a, μ)` of row `s·m + a` (``row(_:_:)``).
    ///
    /// - Complexity: `O(k)` for a row of `k` entries when the game keeps its rows only in flat form.
    @inline(__always)
    public func kernel(_ row: Int) -> SparseDistribution { rowArrays?[row] ?? layout.rows.row(row) }

    /// The number of entries of row `row`'s `P̂`, without building the row.
    package func kernelEntryCount(_ row: Int) -> Int { layout.rows.entryCount(ofRow: row) }
    /// `ρ(s, a, μ)`, `n·m` entries.
    public let radii: [Double]
    /// The rows' polyhedral sets (``MeanFieldGame/withRowSets(_:)``), `n·m` entries, or
    /// `nil` when every row uses ``ambiguity`` with its radius.
    public internal(set) var rowSets: [PolyhedralSet]? = nil

    /// The flat index `s·m + a` of row `(s, a)`.
    @inlinable public func row(_ state: Int, _ action: Int) -> Int { state * actionCount + action }

}

/// What a game's ``MeanFieldGame/KernelRowsPreparation`` gives for one mean field.
package enum PreparedKernelRows: Sendable {
    /// Every row, already written and validated: bit for bit the rows of the game's
    /// ``MeanFieldGame/KernelRowsFunction`` after its validation (zero entries dropped). Given
    /// only when every row is valid there; otherwise the preparation gives a function, whose
    /// rows report the error.
    ///
    /// `slots`, when given, are ``SweepSlots`` of the same row bounds (kept with rows whose
    /// bounds do not change between mean fields).
    case rows(KernelRows, slots: SweepSlots?)
    /// The function the chunks run at that mean field instead of the game's own: it writes the
    /// rows of the game's own, bit for bit, with its errors.
    case function(MeanFieldGame.KernelRowsFunction)
}

/// The nominal kernels of a snapshot in flat form, read in place by the Bellman
/// sweeps, and the slot offsets at which a sweep writes each row's worst case
/// (see ``KernelRows``). Shared (copy-on-write) by every sweep of the snapshot.
struct NominalLayout: Sendable {
    /// `P̂(·|s, a, μ)` at row `s·m + a`.
    let rows: KernelRows
    /// Where a sweep writes row `i`'s worst case.
    let slotStarts: [Int]
    /// The room of all slots: `Σ_i (k_i + 1)`.
    let slotRoom: Int

    init(kernels: [SparseDistribution]) {
        self.init(rows: KernelRows(rows: kernels))
    }

    /// `rows` with their sweep slots: `slots` when given (computed before), else computed here.
    ///
    /// - Precondition: `slots` are ``SweepSlots`` of rows with the same bounds as `rows`.
    init(rows: KernelRows, slots: SweepSlots? = nil) {
        self.rows = rows
        if let slots {
            assert(slots.starts.count == rows.count, "sweep slots of other rows")
            (slotStarts, slotRoom) = (slots.starts, slots.room)
        } else {
            (slotStarts, slotRoom) = KernelRows.slots(for: rows)
        }
    }
}

/// Where a sweep writes each row's worst case for kernel rows with given bounds
/// (``KernelRows/slots(for:)``): kept by a caller whose rows keep their bounds between mean
/// fields, so that each snapshot does not compute them again.
package struct SweepSlots: Sendable {
    let starts: [Int]
    let room: Int

    /// The slots of rows with the bounds of `rows` (their entries are not read).
    package init(rows: KernelRows) {
        (starts, room) = KernelRows.slots(for: rows)
    }
}
