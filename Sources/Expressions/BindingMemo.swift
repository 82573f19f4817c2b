/// The values of a schema's `let` bindings already computed for one evaluation, or for
/// one row of a game (every expression of a transition row at the same `s`, `a` and
/// `μ`): a compiled expression evaluates a binding at its first use and reads the
/// remembered value at the others (Docs/Expressions.md, "`let` bindings").
///
/// A memo is temporary storage, valid only inside ``Environment/withBindingMemo(_:)``.
/// Whoever passes one to several evaluations promises that the variables the
/// remembered bindings read keep their values between them, and calls ``forget(_:)``
/// with ``Schema/bindingSlots(dependingOn:)`` of a variable before changing it.
package struct BindingMemo {
    /// `count` values, then `count` flags (1: the value is known, 0: not yet).
    let storage: UnsafeMutablePointer<Double>?
    /// The number of bindings it holds, from slot 0.
    let count: Int

    init(storage: UnsafeMutablePointer<Double>?, count: Int) {
        self.storage = storage
        self.count = storage == nil ? 0 : count
    }

    /// Marks every binding unknown.
    func clear() {
        guard let storage, count > 0 else { return }
        (storage + count).initialize(repeating: 0, count: count)
    }

    /// Marks the bindings `slots` unknown (slots past ``count`` are ignored).
    package func forget(_ slots: [Int]) {
        guard let storage else { return }
        for k in slots where k >= 0 && k < count { storage[count + k] = 0 }
    }
}

extension Environment {
    /// Runs `body` with an empty memo for every `let` binding of this environment's schema,
    /// on the stack (no heap allocation for up to a few thousand bindings).
    package func withBindingMemo<R, E: Error>(_ body: (BindingMemo) throws(E) -> R) throws(E) -> R {
        let count = shared.schema.bindings.count
        return try withUnsafeTemporaryAllocation(of: Double.self, capacity: max(1, 2 * count)) { block throws(E) -> R in
            let memo = BindingMemo(storage: block.baseAddress, count: count)
            memo.clear()
            return try body(memo)
        }
    }
}

extension Schema {
    /// The slots of the `let` bindings that read the scalar variable `variable` (or one of its
    /// grid coordinates), directly or through other bindings: those to ``BindingMemo/forget(_:)``
    /// when it changes.
    package func bindingSlots(dependingOn variable: ScalarSlot) -> [Int] {
        bindings.indices.filter { k in
            bindings[k].needs.contains { name in
                switch entries[name] {
                case let .scalar(i)?: return i == variable.index
                case let .coordinate(slot, _)?: return slot == variable.index
                default: return false
                }
            }
        }
    }
}
