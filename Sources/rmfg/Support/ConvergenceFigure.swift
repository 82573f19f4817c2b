import MeanField
import Plots

/// The convergence figure of `rmfg solve` (`convergence.svg`): exploitability and
/// stationarity residual per iteration on a log scale, the tolerance, and the trace's
/// segments read from its records' `temperature` and `method` labels. A dashed line starts
/// each stage at a new temperature (the continuation stages of `auto`), tagged with its `τ`;
/// the records after a stage at the requested `τ` that precede the next stage (the stage's
/// pair checked there) belong to that stage. A dotted line marks a change of method within a
/// stage, tagged with the new method. Each kind of line has one legend entry, however many
/// stages there are, and with a continuation a note lists the stages (the tags of lines
/// closer than their text are left out).
enum ConvergenceFigure {
    /// The legend text of a stage's start.
    static let stageLabel = "a stage at the temperature τ above the line starts"
    /// The legend text of a change of method.
    static let switchLabel = "the method above the line takes over"

    /// A trace's stages: the first record of each and its temperature, and its changes of method.
    struct Segments {
        /// `(first record, τ)` of every stage after the first.
        var stages: [(iteration: Int, temperature: Double)] = []
        /// `(first record, method)` of every change of method within a stage.
        var switches: [(iteration: Int, method: EquilibriumMethod)] = []
    }

    /// The figure of `result`'s trace, for the game named `name` solved at `tolerance` and `temperature`.
    static func chart(name: String, result: EquilibriumResult, tolerance: Double, temperature: Double) -> LineChart {
        let iterations = result.trace.map { Double($0.iteration) }
        let parts = segments(result.trace, requested: temperature)
        let stages = parts.stages.map {
            VerticalMarker(x: Double($0.iteration) - 0.5, label: stageLabel, tag: "τ = " + NumberFormat.significant($0.temperature))
        }
        let switches = parts.switches.map {
            VerticalMarker(x: Double($0.iteration) - 0.5, label: switchLabel, style: .dotted, tag: $0.method.rawValue)
        }
        return LineChart(
            title: "\(name): convergence (\(methods(result, continuation: !parts.stages.isEmpty)))", xLabel: "iteration",
            yLabel: "value (log scale)", yScale: .log, series: [
                Series(label: "exploitability", x: iterations, y: result.trace.map(\.exploitability), markers: true),
                Series(label: "stationarity residual", x: iterations, y: result.trace.map(\.stationarityResidual), markers: true),
                Series(label: "tolerance", x: [iterations.first ?? 0, iterations.last ?? 1], y: [tolerance, tolerance], dashed: true),
            ],
            verticalMarkers: stages + switches, notes: note(parts, first: result.trace.first, requested: temperature))
    }

    /// The methods in the order they first ran: "anderson, then fixed-point", or with a
    /// continuation "continuation in τ by mirror-descent and anderson".
    static func methods(_ result: EquilibriumResult, continuation: Bool) -> String {
        var order: [EquilibriumMethod] = []
        for m in [result.switches.first?.from ?? result.method] + result.switches.map(\.to) where !order.contains(m) {
            order.append(m)
        }
        let names = order.map(\.rawValue)
        guard continuation else { return names.joined(separator: ", then ") }
        return "continuation in τ by " + (names.count > 1 ? names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "") : names.joined())
    }

    /// The stages and switches of `trace`. A new stage starts where the temperature changes,
    /// except into a run at the `requested` temperature that another stage follows (a
    /// stage's pair checked at the requested τ): that run belongs to the stage before it.
    /// A switch is a change of method within a stage.
    static func segments(_ trace: [IterationRecord], requested: Double) -> Segments {
        var parts = Segments()
        var stage = trace.first?.temperature ?? requested
        for k in trace.indices.dropFirst() {
            let (previous, record) = (trace[k - 1], trace[k])
            if record.temperature != stage {
                let isCheck = record.temperature == requested
                    && trace[k...].contains { $0.temperature != requested }
                if !isCheck {
                    parts.stages.append((record.iteration, record.temperature))
                    stage = record.temperature
                    continue
                }
            }
            if record.method != previous.method, record.temperature == previous.temperature {
                parts.switches.append((record.iteration, record.method))
            }
        }
        return parts
    }

    /// With a continuation, the stages in order (a tag may be left out where lines crowd).
    static func note(_ parts: Segments, first: IterationRecord?, requested: Double) -> [String] {
        guard !parts.stages.isEmpty, let first else { return [] }
        func tau(_ t: Double) -> String { NumberFormat.significant(t) }
        let list = parts.stages.map { "\(tau($0.temperature)) from \($0.iteration)" }.joined(separator: ", ")
        return ["Stages (dashed lines): τ = \(tau(first.temperature)) from iteration 0, \(list). A stage's last points "
                + "are its pair evaluated at the requested τ = \(tau(requested)) when that was checked."]
    }
}
