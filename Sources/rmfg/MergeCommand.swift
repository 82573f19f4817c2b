import ArgumentParser
import Experiments
import Foundation

/// `rmfg merge DIR...`: joins the shards of a sweep into the full result.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the shards of `rmfg sweep --shard i/n` into the full result.",
        discussion: """
        Reads every shard-i-of-n.manifest (and its shard-i-of-n.csv) in the given folders. \
        The shards must come from one run (same game file, flags and settings), every \
        shard 0..n−1 must be present exactly once, and every cell exactly once; every \
        row must match its cell index (its set, radius, test radius and nominal value \
        are the run's, its derived columns consistent). Prints the \
        same table or JSON as an unsharded `rmfg sweep`, and --output DIR writes the same \
        sweep.csv (byte-identical), result.json and plots, plus timings.csv joined from the \
        shards' timing files when every shard has one (each checked: one line per cell, finite \
        seconds >= 0). Exit status 1 when a solve did not converge; 2 for missing, \
        duplicate or inconsistent shards.
        """
    )

    @Argument(help: "Folders holding shard files (shard-i-of-n.csv and shard-i-of-n.manifest).")
    var folders: [String]

    @Option(help: "Write sweep.csv, result.json, SVG plots and (when every shard has its timing file) timings.csv to this folder.")
    var output: String?

    @OptionGroup var figures: FigureOptions

    @OptionGroup var format: FormatOptions

    func run() throws {
        try runCommand(format: format, merge)
    }

    func merge() throws -> Bool {
        let figureSettings = try figures.settings()
        let sweep: ShardedSweep
        do { sweep = try ShardedSweep(folders: folders) } catch { throw InputError(error.description) }
        let report = try SweepReport(manifest: sweep.manifest, records: sweep.records, shard: nil)
        if let output {
            let dir = try OutputDirectory(output, inputs: sweep.inputs)
            dir.figures = figureSettings
            try report.writeFiles(to: dir)
            if let timings = sweep.timings {
                let lines = ["cell,seconds"] + timings.map { "\($0.cell),\($0.seconds)" }
                try dir.write("timings.csv", lines.joined(separator: "\n") + "\n")
            }
            try report.printThenCommit(dir, format: try format.format)  // nothing written when standard output fails
        } else {
            report.print(as: try format.format)
        }
        return report.converged
    }
}
