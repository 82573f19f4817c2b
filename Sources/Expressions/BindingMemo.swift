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
    @usableFromInline let storage: UnsafeMutablePointer<Double>?
    /// The number of bindings it holds, from slot 0.
    @usableFromInline let count: Int

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

    /// The remembered value of binding `slot`, or `nil` while it is unknown (or past ``count``).
    @inline(__always)
    package func value(_ slot: Int) -> Double? {
        guard let storage, slot >= 0, slot < count, storage[count + slot] != 0 else { return nil }
        return storage[slot]
    }

    /// Marks the bindings `slots[0..<width]` known with the values `values[j]` (for `slots[j]`),
    /// except those with `known[j] == false`, which stay as they are (`known` `nil`: every value
    /// is known). Slots past ``count`` are ignored.
    ///
    /// The caller promises that each value is the binding's value at the variables the memo
    /// serves (computed by the binding's own code at the same values), so that the evaluations
    /// that recall it give what they give without it.
    @inlinable @inline(__always)
    package func preload(_ slots: UnsafePointer<Int>, width: Int, values: UnsafePointer<Double>, known: UnsafePointer<Bool>?) {
        guard let storage else { return }
        for j in 0..<width {
            let k = slots[j]
            guard k >= 0, k < count, known?[j] ?? true else { continue }
            storage[k] = values[j]
            storage[count + k] = 1
        }
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
    /// The slots of the `let` bindings that read no variable but the scalar variables
    /// `variables` and their grid coordinates (directly or through other bindings): for the
    /// variables of a game's row, `s` and `a`, the bindings whose value at a row is the same at
    /// every mean field (a binding that reads no variable at all is among them).
    package func bindingSlots(readingOnly variables: [ScalarSlot]) -> [Int] {
        let allowed = Set(variables.map(\.index))
        return bindings.indices.filter { k in
            bindings[k].needs.allSatisfy { name in
                switch entries[name] {
                case let .scalar(i)?: return allowed.contains(i)
                case let .coordinate(slot, _)?: return allowed.contains(slot)
                default: return false
                }
            }
        }
    }

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
