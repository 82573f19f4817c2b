import Ambiguity
import GameFiles
import LinearProgramming
import NumberText

/// `rmfg worst-case --set moment|polyhedral`: sets without a closed form, solved as
/// linear programs by GLPK and certified by the LP duals (Docs/AmbiguitySets.md).
extension WorstCaseCommand {
    func solvePolyhedral() throws -> Bool {
        let spec = try polyhedralSpec()
        // These sets have no closed form: the default method means the LP.
        if method.defaultValueDescription == "both" { throw InputError("--method: '\(setName)' has no closed form to compare with; use --method lp (the default for this set)") }
        let p = try Parse.probabilityVector(Parse.vectorFlag(nominal, file: nominalFile, flag: "--nominal"),
                                            flag: nominalFile == nil ? "--nominal" : "--nominal-file")
        let v = try Parse.vectorFlag(values, file: valuesFile, flag: "--values")
        guard v.count == p.count else {
            throw InputError("\(valuesFile == nil ? "--values" : "--values-file"): \(v.count) entries, expected \(p.count) (one per entry of \(nominalFile == nil ? "--nominal" : "--nominal-file"))")
        }
        if weights != nil || cost != nil || costFile != nil {
            throw InputError("--weights/--cost: not for --set \(spec.family.rawValue) (a ball goes in the constraints file: within)")
        }
        let claimed = try claim.map { try Parse.number($0, flag: "--claim") }
        let uset: PolyhedralSet
        do { uset = try spec.set(nominal: p) } catch { throw InputError("\(flagName(error.field)): \(error.message)") }
        let exported = try exportLp.map { path throws -> ExportedLP in
            let lp = try wrapPolyhedral { () throws(AmbiguityError) in try uset.linearProgram(nominal: p, values: v) }
            return try exportCPLEX(lp, to: path, inputs: [constraints, nominalFile, valuesFile].compactMap { $0 })
        }
        let solved = try wrapPolyhedral { () throws(AmbiguityError) in
            try uset.worstCaseLP(nominal: p, values: v, options: LPOptions(exact: exact))
        }
        let check = uset.check(solved, nominal: p, values: v)
        var ok = check.passed
        let tolerance = Acceptance.tolerance(values: v)
        var fields: [(String, JSON)] = [("set", .string(spec.family.rawValue)), ("support", .string(uset.support.rawValue)),
                                        ("nominal", .numbers(p)), ("values", .numbers(v)),
                                        ("value", .number(solved.value)), ("distribution", .numbers(solved.distribution)),
                                        ("method", .string("lp")),
                                        ("certificate", .object([("primal", .number(solved.certificate.primal)),
                                                                 ("dual", .number(solved.certificate.dual)),
                                                                 ("gap", .number(solved.certificate.gap))])),
                                        ("dual", .object(lpDuals(solved))),
                                        ("kktResidual", .number(solved.solution.kktResidual)),
                                        ("exact", .bool(solved.solution.exact))]
        if let claimed {
            fields += [("claim", .number(claimed)), ("claimError", .number(claimed - solved.value))]
            ok = ok && Acceptance.accepts(claimed - solved.value, values: v)
        }
        if let exportLp { fields.append(("exportedLP", .string(exportLp))) }
        if !check.failures.isEmpty { fields.append(("failures", .array(check.failures.map { .string($0) }))) }
        fields.append(("passed", .bool(ok)))
        switch try output.format {
        case .json:
            emit(JSON.object(fields).serialized)
        case .text:
            emit(polyhedralText(spec: spec, uset: uset, p: p, v: v, solved: solved, check: check, claimed: claimed,
                                tolerance: tolerance))
        }
        try exported?.write()  // after the report: a failed standard output writes no file
        return ok
    }

    /// The spec from `--features`/`--radius` or `--constraints FILE`.
    private func polyhedralSpec() throws -> PolyhedralSpec {
        let support = try self.support.value(flag: "--support")
        _ = try method.value(flag: "--method")
        if let constraints {
            guard features == nil else { throw InputError("--features and --constraints: give one of them") }
            var spec: PolyhedralSpec
            do { spec = try PolyhedralSpec.load(path: constraints) } catch { throw InputError("--constraints: \(error.description)") }
            guard setName == spec.family.rawValue else {
                throw InputError("--set: '\(setName)', but \(constraints) describes a '\(spec.family.rawValue)' set")
            }
            guard radius == "file" else { throw InputError("--radius: '\(radius)', expected 'file' with --constraints (the file gives every radius)") }
            spec.support = support
            return spec
        }
        guard setName == "moment" else {
            throw InputError("--set \(setName): \(setName == "polyhedral" ? "needs --constraints FILE" : "--features is only for --set moment")")
        }
        guard let features else { throw InputError("--features: missing, expected comma-separated expressions in t for --set moment") }
        do { return try PolyhedralSpec.moment(features: features, radii: radius, support: support) } catch {
            throw InputError("\(error.field): \(error.message)")
        }
    }

    /// The flag that set `field` (the constraints file and its field when one was given).
    private func flagName(_ field: PolyhedralSpec.Field) -> String {
        if constraints != nil { return "--constraints: \(constraints ?? ""): \(field)" }
        switch field {
        case .feature, .ambiguity(.features): return "--features"
        case .radii, .radius, .ambiguity(.radius): return "--radius"
        case .ambiguity(.nominal): return nominalFile == nil ? "--nominal" : "--nominal-file"
        default: return field.description
        }
    }

    private func wrapPolyhedral<T>(_ body: () throws(AmbiguityError) -> T) throws -> T {
        do { return try body() } catch {
            switch error {
            case let .invalidArgument(field, message):
                let flag = switch field {
                case .values: valuesFile == nil ? "--values" : "--values-file"
                case .features: "--features"
                case .radius: "--radius"
                default: flagName(.ambiguity(field))
                }
                throw InputError("\(flag): \(message)")
            case let .linearProgram(message):
                throw InputError("--set \(setName): \(message)")
            case .outOfRange:
                throw InputError("--values: \(error.description)")
            }
        }
    }

    private func polyhedralText(spec: PolyhedralSpec, uset: PolyhedralSet, p: [Double], v: [Double], solved: LPWorstCase,
                                check: CertificateCheck, claimed: Double?, tolerance: Double) -> String {
        var text: [String] = []
        let ball = uset.ball.map { " ∩ \($0.kind.rawValue) ball of radius \(fmt(uset.ballRadius))" } ?? ""
        text.append("worst case over a \(spec.family.rawValue) set (\(uset.constraints.count) linear constraints\(ball)), support \(uset.support.rawValue)")
        text.append("σ = min_{q∈U} q·V = \(fmt(solved.value))   (nominal p·V = \(fmt(zip(p, v).map(*).reduce(0, +))))")
        text.append("")
        var table = TextTable(header: ["state", "V", "nominal p", "worst-case q"])
        for t in p.indices { table.add(["\(t)", fmt(v[t]), fmt(p[t]), fmt(solved.distribution[t])]) }
        text.append(table.rendered)
        text.append("")
        let c = solved.certificate
        text.append("certificate  primal \(fmt(c.primal)), dual \(fmt(c.dual)), gap \(fmt(c.gap)) (LP duals\(solved.solution.exact ? ", exact arithmetic" : ""); KKT residual \(fmt(solved.solution.kktResidual)))")
        for failure in check.failures { text.append("check        FAILED: \(failure)") }
        if let claimed {
            let error = claimed - solved.value
            text.append("claim        \(fmt(claimed)): error \(fmt(error)) — \(Acceptance.accepts(error, values: v) ? "confirmed" : "REFUTED") (tolerance \(fmt(tolerance)))")
        }
        if let exportLp { text.append("LP written to \(exportLp) (CPLEX LP format)") }
        return text.joined(separator: "\n")
    }
}
