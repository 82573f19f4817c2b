import Synchronization

/// The status codes of `include/robustmfg.h` (`RMFG_OK`, …).
package enum ABIStatus: Int32, Sendable {
    /// Success.
    case ok = 0
    /// The computation ran but failed (a solver failed numerically, an LP did not reach optimality).
    case failed = 1
    /// Invalid input: a null pointer, a bad length, a NaN, an invalid game file or option.
    case invalidInput = 2
    /// A quantity to report is beyond the double range.
    case outOfRange = 3
}

/// An error crossing the C boundary: its status, the field it names and the one-line
/// message (the text `rmfg` prints after `rmfg: error: `).
package final class ABIError: Error, @unchecked Sendable {
    package let status: ABIStatus
    package let field: String
    package let message: String
    /// NUL-terminated copies owned by this object, freed with it.
    let fieldText: UnsafeMutablePointer<CChar>
    let messageText: UnsafeMutablePointer<CChar>

    package init(_ status: ABIStatus, field: String, message: String) {
        self.status = status
        self.field = field
        self.message = message
        fieldText = copyCString(field)
        messageText = copyCString(message)
    }

    /// An invalid-input error whose message starts with the field.
    package static func input(_ field: String, _ detail: String) -> ABIError {
        ABIError(.invalidInput, field: field, message: "\(field): \(detail)")
    }

    deinit {
        fieldText.deallocate()
        messageText.deallocate()
    }
}

/// A result crossing the C boundary: a JSON document (the same fields as the CLI's
/// `--format json` output) and named arrays of doubles that callers copy into their
/// own buffers.
package final class ABIResult: @unchecked Sendable {
    package let json: String
    package let arrays: [String: [Double]]
    let jsonText: UnsafeMutablePointer<CChar>

    package init(json: String, arrays: [String: [Double]]) {
        self.json = json
        self.arrays = arrays
        jsonText = copyCString(json)
    }

    deinit { jsonText.deallocate() }
}

/// A NUL-terminated copy of `text` (interior NULs cut the C view short; never a trap).
func copyCString(_ text: String) -> UnsafeMutablePointer<CChar> {
    let bytes = Array(text.utf8)
    let out = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
    for (i, b) in bytes.enumerated() { out[i] = CChar(bitPattern: b) }
    out[bytes.count] = 0
    return out
}

/// Every live handle, keyed by address, with what it holds: a pointer the library did
/// not hand out, or one already freed, is refused instead of dereferenced.
package enum Handles {
    package enum Kind: Sendable { case error, result, game }

    /// A registered handle: what it holds and the retained object.
    struct Entry: @unchecked Sendable {
        let kind: Kind
        let object: Unmanaged<AnyObject>
    }

    private static let live = Mutex<[UInt: Entry]>([:])

    /// Registers `object` and returns its opaque handle (one retain, released by ``release(_:kind:)``).
    package static func make(_ object: AnyObject, kind: Kind) -> OpaquePointer {
        let unmanaged = Unmanaged<AnyObject>.passRetained(object)
        let raw = unmanaged.toOpaque()
        let entry = Entry(kind: kind, object: unmanaged)
        live.withLock { $0[UInt(bitPattern: raw)] = entry }
        return OpaquePointer(raw)
    }

    /// The object behind a live handle of `kind` (a strong reference), or `nil`.
    package static func object(_ handle: OpaquePointer?, kind: Kind) -> AnyObject? {
        guard let handle else { return nil }
        let key = UInt(bitPattern: UnsafeMutableRawPointer(handle))
        let entry = live.withLock { table -> Entry? in
            guard let entry = table[key], entry.kind == kind else { return nil }
            _ = entry.object.retain()  // kept alive until this caller's reference exists
            return entry
        }
        guard let entry else { return nil }
        return entry.object.takeRetainedValue()
    }

    /// Unregisters and releases a handle; `false` when it is not a live handle of `kind`.
    @discardableResult
    package static func release(_ handle: OpaquePointer?, kind: Kind) -> Bool {
        guard let handle else { return false }
        let key = UInt(bitPattern: UnsafeMutableRawPointer(handle))
        let entry = live.withLock { table -> Entry? in
            guard let entry = table[key], entry.kind == kind else { return nil }
            table[key] = nil
            return entry
        }
        entry?.object.release()
        return entry != nil
    }

    /// How many handles are live (for tests of the free functions).
    package static var count: Int { live.withLock { $0.count } }
}

/// Runs `body`, storing its error (if any) behind `error` and returning its status.
/// Anything thrown that is not an ``ABIError`` becomes an internal failure.
package func abiCall(_ errorOut: UnsafeMutablePointer<OpaquePointer?>?, _ body: () throws -> Void) -> Int32 {
    errorOut?.pointee = nil
    let failure: ABIError
    do {
        try body()
        return ABIStatus.ok.rawValue
    } catch let error as ABIError {
        failure = error
    } catch {
        failure = ABIError(.failed, field: "", message: "\(error)")
    }
    errorOut?.pointee = Handles.make(failure, kind: .error)
    return failure.status.rawValue
}
