import Ambiguity

/// One inner problem (`rmfg worst-case`): see `rmfg_worst_case` in `include/robustmfg.h`.
@_cdecl("rmfg_worst_case")
public func rmfg_worst_case(_ set: UnsafePointer<CChar>?, _ n: Int64, _ nominal: UnsafePointer<Double>?,
                            _ values: UnsafePointer<Double>?, _ radius: Double, _ support: UnsafePointer<CChar>?,
                            _ weights: UnsafePointer<Double>?, _ cost: UnsafePointer<Double>?,
                            _ costExpression: UnsafePointer<CChar>?, _ method: UnsafePointer<CChar>?, _ exact: Int32,
                            _ result: UnsafeMutablePointer<OpaquePointer?>?, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    abiCall(error) {
        guard let result else { throw ABIError.input("result", "null pointer, expected where to store the result") }
        result.pointee = nil
        let count = try Input.length(n, "n")
        let kind = try Input.string(set, "set")
        let p = try Input.doubles(nominal, count, "nominal"), v = try Input.doubles(values, count, "values")
        let w = try weights.map { try Input.doubles($0, count, "weights") }
        let c = try cost.map { try Input.doubles($0, try Input.product(count, count, "cost"), "cost") }
        let uset = try WorstCaseCall.set(kind: kind, support: Input.optionalString(support) ?? "simplex", n: count,
                                         weights: w, cost: c, costExpression: Input.optionalString(costExpression))
        let call = try WorstCaseCall(set: uset, method: Input.optionalString(method) ?? "closed-form", exact: exact != 0,
                                     nominal: p, values: v, radius: radius)
        result.pointee = Handles.make(try call.run(), kind: .result)
    }
}

/// `k` inner problems in one call, on several threads: see `rmfg_worst_case_batch`.
@_cdecl("rmfg_worst_case_batch")
public func rmfg_worst_case_batch(_ set: UnsafePointer<CChar>?, _ k: Int64, _ n: Int64, _ nominal: UnsafePointer<Double>?,
                                  _ values: UnsafePointer<Double>?, _ radii: UnsafePointer<Double>?, _ radiusCount: Int64,
                                  _ support: UnsafePointer<CChar>?, _ weights: UnsafePointer<Double>?,
                                  _ cost: UnsafePointer<Double>?, _ costExpression: UnsafePointer<CChar>?, _ threads: Int32,
                                  _ outValues: UnsafeMutablePointer<Double>?, _ outQ: UnsafeMutablePointer<Double>?,
                                  _ outGap: UnsafeMutablePointer<Double>?, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    abiCall(error) {
        let rows = try Input.length(k, "k"), count = try Input.length(n, "n")
        let total = try Input.product(rows, count, "nominal")
        guard radiusCount == 1 || radiusCount == k else { throw ABIError.input("radius", "\(radiusCount) entries, expected 1 or \(k)") }
        guard let nominal else { throw ABIError.input("nominal", "null pointer, expected \(total) numbers") }
        guard let values else { throw ABIError.input("values", "null pointer, expected \(total) numbers") }
        guard let radii else { throw ABIError.input("radius", "null pointer, expected \(radiusCount) numbers") }
        guard let outValues else { throw ABIError.input("out_values", "null pointer, expected room for \(rows) numbers") }
        let w = try weights.map { try Input.doubles($0, count, "weights") }
        let c = try cost.map { try Input.doubles($0, try Input.product(count, count, "cost"), "cost") }
        let uset = try WorstCaseCall.set(kind: try Input.string(set, "set"), support: Input.optionalString(support) ?? "simplex",
                                         n: count, weights: w, cost: c, costExpression: Input.optionalString(costExpression))
        let batch = WorstCaseBatch(set: uset, rows: rows, n: count, nominal: nominal, values: values, radii: radii,
                                   radiusCount: Int(radiusCount), outValues: outValues, outQ: outQ, outGap: outGap)
        try batch.run(threads: Int(threads))
    }
}

/// One moment or polyhedral inner problem, as an LP (`rmfg worst-case --set moment|polyhedral`):
/// see `rmfg_worst_case_polyhedral`.
@_cdecl("rmfg_worst_case_polyhedral")
public func rmfg_worst_case_polyhedral(_ set: UnsafePointer<CChar>?, _ n: Int64, _ nominal: UnsafePointer<Double>?,
                                       _ values: UnsafePointer<Double>?, _ rows: Int64, _ matrix: UnsafePointer<Double>?,
                                       _ relations: UnsafePointer<CChar>?, _ bounds: UnsafePointer<Double>?, _ boundCount: Int64,
                                       _ within: UnsafePointer<CChar>?, _ withinRadius: Double, _ support: UnsafePointer<CChar>?,
                                       _ exact: Int32, _ result: UnsafeMutablePointer<OpaquePointer?>?,
                                       _ error: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    abiCall(error) {
        let kind = try Input.string(set, "set")
        let count = try Input.length(n, "n")
        let p = try Input.doubles(nominal, count, "nominal"), v = try Input.doubles(values, count, "values")
        let field = kind == "moment" ? "features" : "constraints"
        let k = try Input.length(rows, field)
        let a = try Input.doubles(matrix, try Input.product(k, count, field), field)
        let b = try Input.doubles(bounds, try Input.length(boundCount, kind == "moment" ? "radius" : "bounds"),
                                  kind == "moment" ? "radius" : "bounds")
        let spec = PolyhedralCall.Rows(matrix: a, count: k, relations: Input.optionalString(relations), bounds: b,
                                       within: Input.optionalString(within), withinRadius: withinRadius)
        let call = try PolyhedralCall(family: kind, support: Input.optionalString(support) ?? "simplex", exact: exact != 0,
                                      nominal: p, values: v, rows: spec)
        try store(result) { () throws(ABIError) in try call.run() }
    }
}
