/// A tiny global/local game file (2 global states and actions, 2 local states and
/// actions, `agents` local agents), shared by the Subsampling tests and the
/// `rmfg alternating` command tests. `exploration` and `seed` are written only when
/// given (otherwise the file's defaults apply).
public func tinyAlternatingGameText(name: String = "tiny", agents n: Int = 3, discount: Double = 0.5,
                                    episodes: Int = 4000, horizon: Int = 4,
                                    exploration: Double? = 0.3, seed: UInt64? = 11) -> String {
    var learning = "learning:\n  episodes: \(episodes)\n  horizon: \(horizon)\n"
    if let exploration { learning += "  exploration: \(exploration)\n" }
    if let seed { learning += "  seed: \(seed)\n" }
    return """
    name: \(name)
    agents: \(n)
    discount: \(discount)
    parameters:
      bonus: [0.2, 1.0]
    global:
      states: [calm, busy]
      actions: [wait, push]
      reward: "-0.3 * (ag == push)"
      transition: "if(ag == push, 0.8 * (tg == busy) + 0.2 * (tg == calm), 0.7 * (tg == calm) + 0.3 * (tg == busy))"
    local:
      states: [idle, working]
      actions: [rest, work]
      reward: "bonus[sg] * (sl == working) - 0.1 * (al == work)"
      transition: "if(al == work, 0.9 * (tl == working) + 0.1 * (tl == idle), 0.6 * (tl == idle) + 0.4 * (tl == sl))"

    """ + learning
}
