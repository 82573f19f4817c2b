@testable import RobustMFGC

/// An error handle's status, field and message, read and then freed (what a C caller does).
func take(_ error: OpaquePointer?) -> (status: Int32, field: String, message: String) {
    defer { rmfg_error_free(error) }
    return (rmfg_error_status(error), rmfg_error_field(error).map { String(cString: $0) } ?? "",
            rmfg_error_message(error).map { String(cString: $0) } ?? "")
}
