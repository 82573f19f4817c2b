#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NumberText

/// An output folder written all or nothing.
///
/// ``write(_:_:)`` only stages a file: every file goes into a temporary folder
/// (`.NAME.rmfg-PID-K.tmp` next to a new target, `.rmfg-PID-K.tmp` inside an
/// existing one), written in full and flushed to disk. ``commit()`` then moves
/// the set into place: a new target folder is the temporary folder renamed; in
/// an existing folder each file is renamed over its name, other files there are
/// kept, and if one rename fails the files already moved are put back (from
/// hard links made before the first move). An error, or the object being
/// dropped without ``commit()``, removes the temporary files; so does SIGINT,
/// SIGTERM or SIGHUP (see ``TemporaryPaths``). A file that would replace one of
/// the command's inputs is refused.
final class OutputDirectory {
    /// The target folder, as given.
    let path: String
    private let flag: String
    private let inputs: InputFiles
    private var targetExists: Bool
    private var staging: (path: String, slot: Int?)?
    private var createdParents: [(path: String, slot: Int?)] = []
    private var staged: [(name: String, slot: Int?)] = []
    private var finished = false

    /// Checks that `path` is a writable folder or can be created (nothing is
    /// created before the first ``write(_:_:)``). `inputs` are the files the
    /// command read.
    init(_ path: String, flag: String = "--output", inputs: [String] = []) throws {
        var trimmed = path
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard !trimmed.isEmpty, !trimmed.utf8.contains(0) else { throw InputError("\(flag): invalid folder name '\(path)'") }
        self.path = trimmed
        self.flag = flag
        self.inputs = InputFiles(inputs)
        var info = stat()
        if stat(trimmed, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw InputError("\(flag): '\(path)' exists and is not a folder") }
            guard access(trimmed, W_OK | X_OK) == 0 else {
                throw InputError("\(flag): the folder '\(path)' is not writable: \(errnoText(errno))")
            }
            targetExists = true
        } else {
            var link = stat()
            if lstat(trimmed, &link) == 0 {
                throw InputError("\(flag): '\(path)' is a symbolic link to a missing folder")
            }
            // The nearest existing ancestor must be a writable folder.
            var ancestor = parentPath(trimmed)
            while stat(ancestor, &info) != 0 {
                guard errno == ENOENT, ancestor != "/", ancestor != "." else {
                    throw InputError("\(flag): cannot create the folder '\(path)': \(errnoText(errno))")
                }
                ancestor = parentPath(ancestor)
            }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw InputError("\(flag): cannot create the folder '\(path)': '\(ancestor)' is not a folder")
            }
            guard access(ancestor, W_OK | X_OK) == 0 else {
                throw InputError("\(flag): cannot create the folder '\(path)': \(errnoText(errno))")
            }
            targetExists = false
        }
    }

    deinit { discard() }

    /// How ``writeFigure(_:_:)`` writes figures (`--figure-format`, `--figure-width`).
    var figures = FigureSettings()

    /// Stages `text` as the file `name` of the folder.
    func write(_ name: String, _ text: String) throws {
        try write(name, bytes: Data(text.utf8))
    }

    /// Whether a file that replaces a regular file takes its permissions (as
    /// ``writeOutputFile(_:to:flag:inputs:)`` keeps them); `generate --arrays npy` sets it.
    var keepsModes = false

    /// Stages `bytes` as the file `name` of the folder.
    func write(_ name: String, bytes: Data) throws {
        precondition(!name.isEmpty && !name.contains("/") && !finished, "invalid staged output name")
        let destination = path + "/" + name
        var replaced = stat()
        let keptMode = keepsModes && lstat(destination, &replaced) == 0 && replaced.st_mode & S_IFMT == S_IFREG
        if targetExists {
            if let input = inputs.input(at: destination) {
                throw InputError("\(flag): refusing to overwrite the input file '\(input)' with '\(destination)'; choose another folder")
            }
            try Self.refuseUnreplaceable(destination, flag: flag)
        }
        let folder = try stagingFolder()
        let file = folder + "/" + name
        let slot = TemporaryPaths.register(file, as: .file)
        staged.append((name, slot))
        let code = writeNewFile(file, bytes, mode: 0o666)
        if code != 0 {
            throw InputError("\(flag): cannot write '\(destination)': \(errnoText(code))")
        }
        if keptMode { _ = chmod(file, mode_t(replaced.st_mode & 0o7777)) }  // whatever the umask
    }

    /// Moves every staged file into place, all or none.
    func commit() throws {
        guard !finished, let staging else { return }
        defer { discard() }
        #if DEBUG || RMFG_TEST_HOOKS
        if ProcessInfo.processInfo.environment["RMFG_TEST_HOLD_BEFORE_COMMIT"] != nil {
            // Test hook (debug builds and `make test`'s build only): announce that every file is staged, then wait for a signal.
            _ = writeAll(2, "rmfg: test: staged\n")
            while true { pause() }
        }
        #endif
        if !targetExists, try renameStagingFolder(staging) { return }
        try checkReplaceable()
        let backups = try linkBackups(staging)
        try moveStagedFiles(staging, backups: backups)
    }

    /// A new folder: the staging folder renamed into place (`true`), or `false` when
    /// someone created the folder meanwhile (then the files move in one by one).
    private func renameStagingFolder(_ staging: (path: String, slot: Int?)) throws -> Bool {
        if rename(staging.path, path) == 0 {
            finished = true
            for s in staged { TemporaryPaths.unregister(s.slot) }
            staged = []
            TemporaryPaths.unregister(staging.slot)
            for p in createdParents { TemporaryPaths.unregister(p.slot) }
            createdParents = []
            self.staging = nil
            return true
        }
        let code = errno
        var info = stat()
        guard code == EEXIST || code == ENOTEMPTY, stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw InputError("\(flag): cannot create the folder '\(path)': \(errnoText(code))")
        }
        return false
    }

    /// Refuses an existing `destination` that a staged file may not replace: a folder, or a
    /// device node, FIFO or socket (which `rename` would replace, where a single output file
    /// is written through; in a folder `rmfg` replaces only regular files and symbolic links).
    static func refuseUnreplaceable(_ destination: String, flag: String) throws {
        var info = stat()
        guard lstat(destination, &info) == 0 else { return }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: throw InputError("\(flag): cannot write '\(destination)': a folder has that name")
        case S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK:
            throw InputError("\(flag): '\(destination)' is not a regular file (a device, FIFO or socket); "
                             + "an output folder's files replace only regular files and symbolic links")
        default: return
        }
    }

    /// A file its owner made read-only is not replaced (the shell's `>` would refuse it too),
    /// nor a folder, device node, FIFO or socket made since it was staged; checked for every
    /// name before anything moves.
    private func checkReplaceable() throws {
        for s in staged {
            let existing = path + "/" + s.name
            try Self.refuseUnreplaceable(existing, flag: flag)
            var info = stat()
            if lstat(existing, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(existing, W_OK) != 0 {
                throw InputError("\(flag): cannot write '\(existing)': \(errnoText(errno))")
            }
        }
    }

    /// Hard links to the files about to be replaced, so a failed move can be undone, one
    /// entry per staged file. (A file system without hard links gets no backup: such a
    /// file cannot be put back.)
    private func linkBackups(_ staging: (path: String, slot: Int?)) throws -> [(existed: Bool, path: String?)] {
        var backups: [(existed: Bool, path: String?)] = []
        for (k, s) in staged.enumerated() {
            var info = stat()
            guard lstat(path + "/" + s.name, &info) == 0 else { backups.append((false, nil)); continue }
            let backup = staging.path + "/.old-\(k)"
            let slot = TemporaryPaths.register(backup, as: .file)
            staged.append((".old-\(k)", slot))
            if link(path + "/" + s.name, backup) == 0 {
                backups.append((true, backup))
            } else {
                let code = errno
                if code == ENOSPC || code == EDQUOT || code == EIO {
                    throw InputError("\(flag): cannot write '\(path + "/" + s.name)': \(errnoText(code))")
                }
                backups.append((true, nil))
            }
        }
        return backups
    }

    /// Renames the staged files into the folder; on a failure, puts back what moved.
    private func moveStagedFiles(_ staging: (path: String, slot: Int?), backups: [(existed: Bool, path: String?)]) throws {
        let count = backups.count
        for k in 0..<count {
            let name = staged[k].name
            if rename(staging.path + "/" + name, path + "/" + name) != 0 {
                let code = errno
                for j in stride(from: k - 1, through: 0, by: -1) {
                    let target = path + "/" + staged[j].name
                    if let backup = backups[j].path {
                        _ = rename(backup, target)
                    } else if !backups[j].existed {
                        _ = unlink(target)
                    }
                }
                throw InputError("\(flag): cannot write '\(path + "/" + name)': \(errnoText(code))")
            }
            TemporaryPaths.unregister(staged[k].slot)
            staged[k].slot = nil
        }
        staged.removeFirst(count)
        finished = true
    }

    /// Creates the staging folder on first use.
    private func stagingFolder() throws -> String {
        if let staging { return staging.path }
        let base: String
        if targetExists {
            base = path + "/.rmfg-\(getpid())"
        } else {
            try createParents(of: path)
            let parent = parentPath(path)
            base = (parent == "/" ? "" : parent) + "/." + lastComponent(path) + ".rmfg-\(getpid())"
        }
        for k in 0..<1000 {
            let candidate = base + "-\(k).tmp"
            let slot = TemporaryPaths.register(candidate, as: .folder)
            if mkdir(candidate, 0o777) == 0 {
                staging = (candidate, slot)
                return candidate
            }
            let code = errno
            TemporaryPaths.unregister(slot)
            if code != EEXIST { throw InputError("\(flag): cannot write into '\(path)': \(errnoText(code))") }
        }
        throw InputError("\(flag): cannot write into '\(path)': too many temporary folders")
    }

    /// Creates the missing parents of `target`, remembering them for cleanup.
    private func createParents(of target: String) throws {
        var missing: [String] = []
        var p = parentPath(target)
        var info = stat()
        while p != "/", p != ".", stat(p, &info) != 0 {
            missing.append(p)
            p = parentPath(p)
        }
        for folder in missing.reversed() {
            let slot = TemporaryPaths.register(folder, as: .folder)
            if mkdir(folder, 0o777) != 0 {
                let code = errno
                TemporaryPaths.unregister(slot)
                if code == EEXIST { continue }
                throw InputError("\(flag): cannot create the folder '\(folder)': \(errnoText(code))")
            }
            createdParents.append((folder, slot))
        }
    }

    /// Removes whatever is still staged (after a failure), and created parents left empty.
    private func discard() {
        if let staging {
            for s in staged {
                _ = unlink(staging.path + "/" + s.name)
                TemporaryPaths.unregister(s.slot)
            }
            _ = rmdir(staging.path)
            TemporaryPaths.unregister(staging.slot)
        }
        staged = []
        staging = nil
        for p in createdParents.reversed() {
            _ = rmdir(p.path)
            TemporaryPaths.unregister(p.slot)
        }
        createdParents = []
    }
}

/// Writes `text` to the file `path` names, for a command's single-file output
/// (`generate --output`, `worst-case --export-lp`):
/// - `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` are the
///   process's own descriptors, written as they are (the shell's `>` or `>>` holds);
/// - a device node, FIFO or other non-regular file is opened and written
///   through, never replaced;
/// - a regular file (or a new name) is written to a temporary file beside it,
///   which is then renamed over it; a symbolic link is followed first, so its
///   target is replaced and the link kept;
/// - a file that is one of `inputs` (same device and inode) is refused.
///
/// Any failure is an ``InputError`` naming `flag`, the path and the reason.
func writeOutputFile(_ text: String, to path: String, flag: String, inputs: [String] = []) throws {
    try stageOutputFile(text, to: path, flag: flag, inputs: inputs)?.commit()
}

/// A regular output file written in full beside its target, to be renamed over it by
/// ``commit()``; until then ``TemporaryPaths`` holds it, so a failed standard output
/// (``emit(_:)``) or a signal removes it, and so does dropping it uncommitted (an error
/// thrown before the commit): the target stays as it was.
final class StagedOutputFile {
    let temporary: String
    let target: String
    let slot: Int?
    let failure: (Int32) -> InputError
    private var done = false

    init(temporary: String, target: String, slot: Int?, failure: @escaping (Int32) -> InputError) {
        self.temporary = temporary
        self.target = target
        self.slot = slot
        self.failure = failure
    }

    deinit {
        if !done { _ = unlink(temporary) }
        TemporaryPaths.unregister(slot)
    }

    /// Renames the staged file over its target.
    func commit() throws {
        guard !done else { return }
        done = true
        guard rename(temporary, target) == 0 else {
            let code = errno
            _ = unlink(temporary)
            throw failure(code)
        }
    }
}

/// ``writeOutputFile(_:to:flag:inputs:)`` up to the last step: a standard descriptor, device
/// node or FIFO is written through now (`nil`: nothing left to do), a regular file (or a new
/// name, or a link's target) is staged beside its target and returned, to be committed when
/// the command's report is on standard output (`worst-case --export-lp`).
func stageOutputFile(_ text: String, to path: String, flag: String, inputs: [String] = []) throws -> StagedOutputFile? {
    guard !path.isEmpty, !path.utf8.contains(0) else { throw InputError("\(flag): invalid file name '\(path)'") }
    func failure(_ code: Int32) -> InputError { InputError("\(flag): cannot write '\(path)': \(errnoText(code))") }
    if let fd = standardDescriptor(path) {
        let code = writeAll(fd, text)
        if code != 0 { throw failure(code) }
        return nil
    }
    var info = stat()
    let exists = stat(path, &info) == 0
    if exists, info.st_mode & S_IFMT != S_IFREG {
        guard info.st_mode & S_IFMT != S_IFDIR else { throw InputError("\(flag): '\(path)' is a folder") }
        try writeInPlace(text, to: path, failure: failure)
        return nil
    }
    if let input = InputFiles(inputs).input(at: path) {
        throw InputError("\(flag): refusing to overwrite the input file '\(input)'")
    }
    guard let target = try followLinks(path, writing: text, failure: failure) else { return nil }
    // A rename would replace a file its owner made read-only; the shell's `>` would not.
    if exists, access(target, W_OK) != 0 { throw failure(errno) }
    return try stageBeside(target, with: text, mode: exists ? mode_t(info.st_mode & 0o7777) : 0o666, keepMode: exists, failure: failure)
}

/// The game file that `generate --arrays npy --output PATH` writes, by the rules of
/// ``writeOutputFile(_:to:flag:inputs:)`` as far as they hold for four files written
/// together (the game file and the `.npy` arrays beside it, ``OutputDirectory``):
/// - a symbolic link is followed: the file it ends at is the game file (replaced, the link
///   kept), and the arrays go beside that file, named after it;
/// - a device node, FIFO or socket is refused, as is a standard stream (`/dev/stdout`, …):
///   it cannot be replaced, and the `.npy` files cannot go into it (`--arrays inline` writes
///   through it); nothing is written then.
func arrayGameTarget(_ path: String, flag: String) throws -> String {
    guard !path.isEmpty, !path.utf8.contains(0) else { throw InputError("\(flag): invalid file name '\(path)'") }
    let notAFileName = InputError("\(flag): '\(path)' is not a file name (--arrays npy writes files beside it)")
    guard standardDescriptor(path) == nil else { throw notAFileName }
    var info = stat()
    if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
        guard info.st_mode & S_IFMT != S_IFDIR else { throw InputError("\(flag): '\(path)' is a folder") }
        throw InputError("\(flag): '\(path)' is not a regular file (a device, FIFO or socket), and --arrays npy writes "
            + ".npy files beside the game file; give a file name, or --arrays inline to write through it")
    }
    let end = try linkChainEnd(path) { InputError("\(flag): cannot write '\(path)': \(errnoText($0))") }
    guard case let .file(target) = end else { throw notAFileName }
    return target
}

/// Refuses `folder/name` when it is a symbolic link, device node, FIFO or socket: a file
/// written beside a game file (``arrayGameTarget(_:flag:)``) replaces only a regular file.
func refuseSpecialSideFile(_ folder: String, _ name: String, flag: String) throws {
    let path = (folder == "/" ? "" : folder) + "/" + name
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    let type = info.st_mode & S_IFMT
    guard type != S_IFREG, type != S_IFDIR else { return }
    let kind = type == S_IFLNK ? "a symbolic link" : "not a regular file (a device, FIFO or socket)"
    throw InputError("\(flag): '\(path)' is \(kind); --arrays npy replaces only regular files beside the game file")
}

/// Writes into an existing file that is not a regular file (a FIFO, a device) without replacing it.
private func writeInPlace(_ text: String, to path: String, failure: (Int32) -> InputError) throws {
    var fd: Int32
    repeat { fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC) } while fd < 0 && errno == EINTR
    guard fd >= 0 else { throw failure(errno) }
    var code = writeAll(fd, text)
    if close(fd) != 0, code == 0, errno != EINTR { code = errno }
    if code != 0 { throw failure(code) }
}

/// The file a chain of symbolic links at `path` ends at (the file that is replaced), or
/// `nil` when the chain ends at a standard stream, which then got `text`.
private func followLinks(_ path: String, writing text: String, failure: (Int32) -> InputError) throws -> String? {
    switch try linkChainEnd(path, failure: failure) {
    case let .file(target):
        return target
    case let .descriptor(fd):
        let code = writeAll(fd, text)
        if code != 0 { throw failure(code) }
        return nil
    }
}

/// Where a chain of symbolic links ends: a path that is not a link (or does not exist), or
/// one of the process's own descriptors (``standardDescriptor(_:)``).
enum LinkChainEnd: Equatable {
    case file(String)
    case descriptor(Int32)
}

/// Follows the symbolic links at `path` (at most 40, as open(2) does; a loop is `ELOOP`).
func linkChainEnd(_ path: String, failure: (Int32) -> InputError) throws -> LinkChainEnd {
    var target = path
    for _ in 0..<40 {
        if let fd = standardDescriptor(target) { return .descriptor(fd) }
        var link = stat()
        guard lstat(target, &link) == 0, link.st_mode & S_IFMT == S_IFLNK else { break }
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlink(target, &buffer, 4096)
        guard n > 0 else { throw failure(errno) }
        let destination = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        target = destination.hasPrefix("/") ? destination : parentPath(target) + "/" + destination
    }
    // Still a link after 40 hops: a loop (or a chain longer than the system allows), as open(2) says.
    var last = stat()
    if lstat(target, &last) == 0, last.st_mode & S_IFMT == S_IFLNK { throw failure(ELOOP) }
    return .file(target)
}

/// Writes a temporary file beside `target` and renames it over `target`.
private func stageBeside(_ target: String, with text: String, mode: mode_t, keepMode: Bool,
                         failure: @escaping (Int32) -> InputError) throws -> StagedOutputFile {
    let folder = parentPath(target)
    for k in 0..<1000 {
        let temporary = (folder == "/" ? "" : folder) + "/." + lastComponent(target) + ".rmfg-\(getpid())-\(k).tmp"
        let slot = TemporaryPaths.register(temporary, as: .file)
        let code = writeNewFile(temporary, text, mode: mode, exclusive: true)
        if code == EEXIST {
            TemporaryPaths.unregister(slot)
            continue
        }
        if code != 0 {
            _ = unlink(temporary)
            TemporaryPaths.unregister(slot)
            throw failure(code)
        }
        if keepMode { _ = chmod(temporary, mode) }  // keep the replaced file's permissions, whatever the umask
        return StagedOutputFile(temporary: temporary, target: target, slot: slot, failure: failure)
    }
    throw failure(EEXIST)
}

/// The descriptor that `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` or `/proc/self/fd/N` names.
func standardDescriptor(_ path: String) -> Int32? {
    switch path {
    case "/dev/stdout": return 1
    case "/dev/stderr": return 2
    default:
        for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
            return Int32(path.dropFirst(prefix.count))
        }
        return nil
    }
}

/// Creates `path` (truncating unless `exclusive`), writes `text`, flushes it to
/// disk and closes it; 0 or the first `errno`.
private func writeNewFile(_ path: String, _ text: String, mode: mode_t, exclusive: Bool = false) -> Int32 {
    writeNewFile(path, Data(text.utf8), mode: mode, exclusive: exclusive)
}

/// ``writeNewFile(_:_:mode:exclusive:)`` for bytes.
private func writeNewFile(_ path: String, _ bytes: Data, mode: mode_t, exclusive: Bool = false) -> Int32 {
    var fd: Int32
    let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC)
    repeat { fd = open(path, flags, mode) } while fd < 0 && errno == EINTR
    guard fd >= 0 else { return errno }
    var code = bytes.withUnsafeBytes { writeAll(fd, $0) }
    if code == 0, fsync(fd) != 0, errno != EINVAL, errno != EROFS { code = errno }
    if close(fd) != 0, code == 0, errno != EINTR { code = errno }
    return code
}

/// The folder part of a path ("." for a bare name).
func parentPath(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    if slash == path.startIndex { return "/" }
    return String(path[..<slash])
}

/// The last component of a path.
func lastComponent(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
}

/// Whether standard error is a terminal (for progress lines).
var standardErrorIsTerminal: Bool { isatty(2) != 0 }

/// One CSV line from fields (numbers as round-trip decimals, text quoted when needed).
func csvLine(_ fields: [String]) -> String {
    fields.map { f in
        csvNeedsQuotes(f) ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
    }.joined(separator: ",")
}

/// Whether a CSV field holds a comma, a double quote or a line feed (then it is quoted).
///
/// A scan of the UTF-8 bytes: these three are ASCII, so a byte equal to one of them is that
/// character. (Foundation's `String.contains(_:)`, used before, bridged every field to
/// `NSString`: 14 s of the 10⁶-state garnet's 21 s of `--output` writing, Docs/Performance.md,
/// section 10.)
func csvNeedsQuotes(_ field: String) -> Bool {
    field.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A }
}

/// A number for CSV and JSON-like text: Swift's shortest round-trip form.
func exact(_ x: Double) -> String { numberText(x) }
