#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

// Low-level output: checked writes, the standard streams, terminal-safe text,
// file identities, and the temporary paths removed on SIGINT/SIGTERM/SIGHUP.

/// The system's text for an `errno` value, e.g. "No space left on device".
func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// Writes every byte of `bytes` to `fd`: retries on `EINTR`, continues after
/// partial writes and waits on `EAGAIN` (a non-blocking descriptor inherited
/// from the parent). Returns 0, or the `errno` of the failed write.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    guard var pointer = bytes.baseAddress else { return 0 }
    var left = bytes.count
    while left > 0 {
        let n = write(fd, pointer, min(left, 1 << 30))
        if n < 0 {
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK {
                var waiter = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&waiter, 1, -1)
                continue
            }
            return code
        }
        if n == 0 { return EIO }
        pointer += n
        left -= n
    }
    return 0
}

/// Writes the UTF-8 bytes of `text` to `fd`; 0 or the `errno` of the failure.
func writeAll(_ fd: Int32, _ text: String) -> Int32 {
    var text = text
    return text.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
}

/// `text` with every control character (C0, DEL, C1: ANSI escape sequences
/// among them) except newline and tab shown as `\u{XX}`, so names taken from
/// input files cannot drive the terminal.
func terminalSafe(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isUnsafeControl) else { return text }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        if isUnsafeControl(scalar) {
            out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
        } else {
            out.append(scalar)
        }
    }
    return String(out)
}

private func isUnsafeControl(_ scalar: Unicode.Scalar) -> Bool {
    let v = scalar.value
    if v == 0x0A || v == 0x09 { return false }
    return v < 0x20 || (0x7F...0x9F).contains(v)
}

/// Standard output and standard error as the process received them.
enum StandardStreams {
    /// Makes sure descriptors 0, 1 and 2 are open, so no file opened later
    /// takes their number (and receives error messages). A closed standard
    /// output or error is replaced by a read-only `/dev/null`, on which every
    /// write fails with `EBADF` as on the closed descriptor; a closed standard
    /// input by a write-only one. Also flushes stdio's standard output at exit
    /// (the argument parser prints help there) and turns a failed flush into
    /// the one-line error and exit status 2.
    ///
    /// SIGPIPE is caught by a handler that does nothing, so a write to a pipe whose reader has
    /// gone (`rmfg … | head -c 100`) fails with `EPIPE` like any other failed write: one line,
    /// the temporary files removed, exit status 2. Before 2026-12-07 the signal ended the
    /// process mid-command, which left an `--output` folder's staging folder behind and wrote
    /// no folder, with no message. A handler rather than `SIG_IGN`: an ignored signal stays
    /// ignored across `exec`, a caught one returns to its default action, so the programs
    /// `rmfg` runs (the figure renderer) start with SIGPIPE as usual.
    static func prepare() {
        installSignalHandler(SIGPIPE, brokenPipeHandler, flags: SA_RESTART)
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY)
            if opened >= 0, opened != fd {
                _ = dup2(opened, fd)
                _ = close(opened)
            }
        }
        atexit {
            if fflush(nil) != 0 {
                let code = errno
                _ = writeAll(2, "rmfg: error: cannot write to standard output: \(errnoText(code))\n")
                _exit(2)
            }
        }
    }
}

/// The identity of a file (device and inode), which survives other names,
/// symbolic links and hard links.
struct FileIdentity: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64

    /// The identity of the file `path` names, following symbolic links; nil when it does not exist.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(truncatingIfNeeded: info.st_dev)
        inode = UInt64(truncatingIfNeeded: info.st_ino)
    }
}

/// Input files of a command, which no output may overwrite.
struct InputFiles: Sendable {
    private let files: [(path: String, identity: FileIdentity)]

    /// The inputs among `paths` that exist now.
    init(_ paths: [String]) {
        files = paths.compactMap { p in FileIdentity(path: p).map { (p, $0) } }
    }

    /// The input that `path` names (following links), if any.
    func input(at path: String) -> String? {
        guard !files.isEmpty, let identity = FileIdentity(path: path) else { return nil }
        return files.first { $0.identity == identity }?.path
    }
}

/// Temporary files and folders that a signal must not leave behind.
///
/// Their paths live in C storage allocated once, so the handler for SIGINT,
/// SIGTERM and SIGHUP only reads memory and calls `unlink`, `rmdir`, `signal`
/// and `raise`, all async-signal-safe. The handler removes every registered
/// path, restores the default action and raises the signal again, so the
/// process still ends by that signal (exit status 128 + n in a shell).
enum TemporaryPaths {
    /// What a slot holds.
    enum Kind: CChar {
        case file = 1, folder = 2
    }

    static let slotCount = 256
    static let slotSize = 4096
    /// `slotCount` slots of `slotSize` bytes: a kind byte (0 = free), then a NUL-terminated path.
    nonisolated(unsafe) static let storage: UnsafeMutablePointer<CChar> = makeStorage()

    /// `slotCount · slotSize` zero bytes in an anonymous mapping of their own: the kernel
    /// hands out zero pages and touches one only when a slot is used. Not `calloc`: since
    /// `rmfg` keeps large blocks on the heap (``ProcessMemory/keepFreedMemory()``, called
    /// before this), `calloc` took the 1 MiB from the heap and cleared part of it at every
    /// start (Docs/Performance.md, "Sixth round"); before that, writing the zeros
    /// (`initialize(repeating:)`) cost 256 page faults, 40 % of those of `rmfg --version`
    /// ("The process around the solve").
    static func makeStorage() -> UnsafeMutablePointer<CChar> {
        let count = slotCount * slotSize
        let raw = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        if let raw, raw != MAP_FAILED { return raw.bindMemory(to: CChar.self, capacity: count) }
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: count)
        p.initialize(repeating: 0, count: count)
        return p
    }

    /// Installs the handler for SIGINT, SIGTERM and SIGHUP, except where the
    /// parent set a signal to be ignored (for example `nohup`).
    static func installSignalHandlers() {
        _ = storage
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            var old = sigaction()
            guard sigaction(sig, nil, &old) == 0 else { continue }
            #if canImport(Glibc)
            let current = old.__sigaction_handler.sa_handler
            #else
            let current = old.__sigaction_u.__sa_handler
            #endif
            if let current, unsafeBitCast(current, to: Int.self) == 1 { continue }  // SIG_IGN
            installSignalHandler(sig, temporaryPathsSignalHandler, flags: 0)
        }
    }

    /// Registers `path`; returns its slot (nil when it is too long or all slots are taken).
    static func register(_ path: String, as kind: Kind) -> Int? {
        let bytes = Array(path.utf8)
        guard bytes.count + 2 <= slotSize, !bytes.contains(0) else { return nil }
        for slot in 0..<slotCount where storage[slot * slotSize] == 0 {
            let base = storage + slot * slotSize
            for (k, b) in bytes.enumerated() { base[1 + k] = CChar(bitPattern: b) }
            base[1 + bytes.count] = 0
            base[0] = kind.rawValue  // last: the handler never sees a half-written path
            return slot
        }
        return nil
    }

    /// Frees a slot once its path is gone or has become a real output.
    static func unregister(_ slot: Int?) {
        if let slot { storage[slot * slotSize] = 0 }
    }

    /// Removes every registered file, then every registered (empty) folder.
    /// Async-signal-safe.
    static func removeAll() {
        for slot in 0..<slotCount where storage[slot * slotSize] == Kind.file.rawValue {
            _ = unlink(storage + slot * slotSize + 1)
        }
        for _ in 0..<3 {  // folders may nest (a staging folder inside a created parent)
            for slot in 0..<slotCount where storage[slot * slotSize] == Kind.folder.rawValue {
                _ = rmdir(storage + slot * slotSize + 1)
            }
        }
    }
}

/// Installs `handler` for `sig` with an empty mask and `flags` (`sigaction(2)`).
private func installSignalHandler(_ sig: Int32, _ handler: @escaping @convention(c) (Int32) -> Void, flags: Int32) {
    var action = sigaction()
    #if canImport(Glibc)
    action.__sigaction_handler.sa_handler = handler
    #else
    action.__sigaction_u.__sa_handler = handler
    #endif
    sigemptyset(&action.sa_mask)
    action.sa_flags = flags
    _ = sigaction(sig, &action, nil)
}

/// SIGPIPE's handler (``StandardStreams/prepare()``): nothing, so the write returns `EPIPE`.
private func brokenPipeHandler(_: Int32) {}

/// The handler installed by ``TemporaryPaths/installSignalHandlers()``.
private func temporaryPathsSignalHandler(_ sig: Int32) {
    TemporaryPaths.removeAll()
    _ = signal(sig, SIG_DFL)
    _ = raise(sig)
}
