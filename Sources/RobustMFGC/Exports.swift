// The C entry points of `include/robustmfg.h`. Each checks its pointers and lengths,
// then calls the library through the types of this module; none traps on bad input.

/// The version string, `"MAJOR.MINOR.PATCH"` (static storage, never freed).
@_cdecl("rmfg_version")
public func rmfg_version() -> UnsafePointer<CChar>? {
    UnsafePointer(ABIVersion.text)
}

/// The ABI version: bumped on every incompatible change of the header.
@_cdecl("rmfg_abi_version")
public func rmfg_abi_version() -> Int32 { ABIVersion.abi }

/// The status of an error handle (`RMFG_ERROR_INPUT`, …); `-1` for a pointer that is not one.
@_cdecl("rmfg_error_status")
public func rmfg_error_status(_ error: OpaquePointer?) -> Int32 {
    (Handles.object(error, kind: .error) as? ABIError)?.status.rawValue ?? -1
}

/// The one-line message of an error (owned by the error); `NULL` for a pointer that is not one.
@_cdecl("rmfg_error_message")
public func rmfg_error_message(_ error: OpaquePointer?) -> UnsafePointer<CChar>? {
    (Handles.object(error, kind: .error) as? ABIError).map { UnsafePointer($0.messageText) }
}

/// The field an error names (owned by the error); `NULL` for a pointer that is not one.
@_cdecl("rmfg_error_field")
public func rmfg_error_field(_ error: OpaquePointer?) -> UnsafePointer<CChar>? {
    (Handles.object(error, kind: .error) as? ABIError).map { UnsafePointer($0.fieldText) }
}

/// Frees an error; `NULL` and pointers that are not live errors are ignored.
@_cdecl("rmfg_error_free")
public func rmfg_error_free(_ error: OpaquePointer?) { Handles.release(error, kind: .error) }

/// The JSON document of a result (owned by the result); `NULL` for a pointer that is not one.
@_cdecl("rmfg_result_json")
public func rmfg_result_json(_ result: OpaquePointer?) -> UnsafePointer<CChar>? {
    (Handles.object(result, kind: .result) as? ABIResult).map { UnsafePointer($0.jsonText) }
}

/// The length of a result's array `name`; `-1` when it has none (or the pointers are invalid).
@_cdecl("rmfg_result_length")
public func rmfg_result_length(_ result: OpaquePointer?, _ name: UnsafePointer<CChar>?) -> Int64 {
    guard let r = Handles.object(result, kind: .result) as? ABIResult, let key = Input.optionalString(name),
          let array = r.arrays[key] else { return -1 }
    return Int64(array.count)
}

/// Copies a result's array `name` into `buffer`, which must hold exactly `length` doubles.
@_cdecl("rmfg_result_copy")
public func rmfg_result_copy(_ result: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ buffer: UnsafeMutablePointer<Double>?,
                             _ length: Int64, _ error: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    abiCall(error) {
        guard let r = Handles.object(result, kind: .result) as? ABIResult else { throw ABIError.input("result", "not a live result handle") }
        let key = try Input.string(name, "name")
        guard let array = r.arrays[key] else {
            throw ABIError.input("name", "'\(key)', expected one of: \(r.arrays.keys.sorted().joined(separator: ", "))")
        }
        guard length == Int64(array.count) else { throw ABIError.input("length", "\(length), expected \(array.count) for '\(key)'") }
        let out = try Input.output(buffer, array.count, "buffer")
        for i in array.indices { out[i] = array[i] }
    }
}

/// Frees a result; `NULL` and pointers that are not live results are ignored.
@_cdecl("rmfg_result_free")
public func rmfg_result_free(_ result: OpaquePointer?) { Handles.release(result, kind: .result) }

/// Frees a game; `NULL` and pointers that are not live games are ignored.
@_cdecl("rmfg_game_free")
public func rmfg_game_free(_ game: OpaquePointer?) { Handles.release(game, kind: .game) }

/// The number of live handles (errors, results, games): for leak checks in tests.
@_cdecl("rmfg_live_handles")
public func rmfg_live_handles() -> Int64 { Int64(Handles.count) }

/// Version constants (kept equal to the macros of `include/robustmfg.h`; a test checks).
package enum ABIVersion {
    package static let major = 0, minor = 3, patch = 0
    package static let abi: Int32 = 1
    /// `"0.3.0"`, allocated once and never freed.
    nonisolated(unsafe) static let text: UnsafeMutablePointer<CChar> = copyCString("\(major).\(minor).\(patch)")
}
