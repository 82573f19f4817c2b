/// A tiny global/local game file (Docs/Alternating.md): 2 global states, 2 local
/// states, `n` agents. Shared by the Subsampling tests (which parse it) and the
/// GameFiles tests (which edit it into malformed files).
public func tinyGameText(agents n: Int = 3, discount: Double = 0.5, episodes: Int = 4000, horizon: Int = 4) -> String {
    """
    name: tiny
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
    learning:
      episodes: \(episodes)
      horizon: \(horizon)
      exploration: 0.3
      seed: 11
    """
}
