import Testing
@testable import RobustMFGC

/// The parent of every C ABI suite, serialized: `handlesAreChecked` compares the global count
/// of live handles (`rmfg_live_handles`) before and after its own calls, which a handle
/// made meanwhile by another suite's test would break.
@Suite(.serialized) enum CABISuites {}

/// An error handle's status, field and message, read and then freed (what a C caller does).
func take(_ error: OpaquePointer?) -> (status: Int32, field: String, message: String) {
    defer { rmfg_error_free(error) }
    return (rmfg_error_status(error), rmfg_error_field(error).map { String(cString: $0) } ?? "",
            rmfg_error_message(error).map { String(cString: $0) } ?? "")
}
