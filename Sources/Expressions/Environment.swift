/// The values an expression is evaluated with: one number per scalar variable
/// and one array per array variable of a ``Schema``.
///
/// Make one environment per schema (and per thread), set the scalar slots and
/// bind the arrays, then evaluate any number of ``CompiledExpression``s compiled
/// against that schema or a view of it (``Schema/restricted(toVariables:)``,
/// ``Schema/hiding(_:)``). Setting a slot or binding an array never allocates:
/// binding shares the caller's array storage (copy-on-write), so re-binding `mu`
/// at every mean field is cheap.
///
/// Scalars start at 0. Array variables start unbound; evaluating an expression
/// that reads an unbound array throws ``ExpressionError/Kind/unboundArray(_:)``.
/// Constant arrays of the schema are already in place.
public struct Environment: Sendable {
    /// The schema, behind one reference: an environment is copied into every
    /// evaluation call site, and a copy then costs one retain instead of one per
    /// field of the schema.
    let shared: Shared
    var scalars: [Double]
    var arrays: [[Double]]

    /// The immutable part of an environment.
    final class Shared: Sendable {
        let schema: Schema
        init(_ schema: Schema) { self.schema = schema }
    }

    var layout: LayoutToken { shared.schema.layout }
    var schema: Schema { shared.schema }

    /// An environment for `schema` (and every view of it).
    public init(schema: Schema) {
        self.shared = Shared(schema)
        self.scalars = Array(repeating: 0, count: schema.scalarNames.count)
        self.arrays = schema.arrays.map { $0.constant ?? [] }
    }

    /// The value of a scalar variable. The slot must come from this environment's schema.
    public subscript(slot: ScalarSlot) -> Double {
        get { scalars[slot.index] }
        set { scalars[slot.index] = newValue }
    }

    /// Binds an array variable to `values` (row-major, `values.count` equal to the
    /// product of its shape). Shares the storage of `values`; does not copy.
    /// - Throws: `bindingShapeMismatch` for a wrong length; `notBindable` if the slot
    ///   is a constant array or does not belong to this schema.
    public mutating func bind(_ slot: ArraySlot, to values: [Double]) throws(ExpressionError) {
        try checkBinding(slot, count: values.count)
        arrays[slot.index] = values
    }

    /// Throws what the slot-based `bind(_:to:)` throws for binding `count` values to `slot`.
    func checkBinding(_ slot: ArraySlot, count: Int) throws(ExpressionError) {
        let arrays = shared.schema.arrays
        guard slot.index >= 0, slot.index < arrays.count else {
            throw ExpressionError(.notBindable(name: "#\(slot.index)", reason: "the slot is not from this schema"))
        }
        guard arrays[slot.index].constant == nil else {
            throw ExpressionError(.notBindable(name: arrays[slot.index].name, reason: "it is a constant"))
        }
        guard count == arrays[slot.index].count else {
            throw ExpressionError(.bindingShapeMismatch(name: arrays[slot.index].name, expected: arrays[slot.index].count, found: count))
        }
    }

    /// Sets a scalar variable by name (a convenience; use slots in loops).
    /// - Throws: `notBindable` if `name` is not a scalar variable of the schema.
    public mutating func set(_ name: String, to value: Double) throws(ExpressionError) {
        guard case let .scalar(i)? = schema.entries[name] else {
            throw ExpressionError(.notBindable(name: name, reason: "it is not a scalar variable of the schema"))
        }
        scalars[i] = value
    }

    /// Binds an array variable by name (a convenience; use slots in loops).
    /// - Throws: as the slot-based `bind(_:to:)`, or `notBindable` if `name` is not an array.
    public mutating func bind(_ name: String, to values: [Double]) throws(ExpressionError) {
        guard case let .array(i)? = schema.entries[name] else {
            throw ExpressionError(.notBindable(name: name, reason: "it is not an array variable of the schema"))
        }
        try bind(ArraySlot(index: i), to: values)
    }
}
