#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The check every reader of an input file makes before it opens the file.
package enum InputFileKind {
    /// Why `path` cannot be read as an input file, or `nil` when it can be opened.
    ///
    /// A FIFO, device node or socket is refused before it is opened: opening a FIFO for
    /// reading waits for a writer (for ever when none comes), and a device such as
    /// `/dev/zero` never ends. The process's own descriptors (`/dev/stdin`, `/dev/fd/N`,
    /// `/proc/self/fd/N`) are the exception: the shell opened them already (`< file`,
    /// `<(command)`, a pipe), so reading them is what the user asked for. A `stat`, which
    /// never blocks, decides; a file that does not exist, or cannot be examined, is left
    /// to the reader's own error.
    package static func specialFileProblem(_ path: String) -> String? {
        guard !isOwnDescriptor(path) else { return nil }
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK: return specialText
        default: return nil
        }
    }

    /// Why `path` cannot be read as an input file because it is a folder
    /// (`cannot read the file (it is a folder)`), or `nil`. Checked before a reader opens the
    /// path, so that a folder gets this one line rather than the system's wording of a failed
    /// read (Foundation's `NSCocoaErrorDomain error 256`).
    package static func folderProblem(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return nil }
        return folderText
    }

    /// Why a FIFO, device node or socket is refused.
    package static let specialText = "not a regular file (a device, FIFO or socket)"
    /// Why a folder is refused.
    package static let folderText = "cannot read the file (it is a folder)"

    /// How ``open(_:)`` ended.
    package enum Opened {
        /// A descriptor open for reading, blocking; the caller closes it.
        case descriptor(Int32)
        /// Refused: a FIFO, device node or socket (``specialText``).
        case special
        /// Refused: a folder (``folderText``).
        case folder
        /// `open(2)` or `fstat(2)` failed with this `errno`.
        case failed(Int32)
    }

    /// Opens `path` for reading, refusing a FIFO, device node, socket or folder on the descriptor
    /// itself, not only on a `stat` of the path made before: a path replaced by a FIFO between the
    /// check and the open cannot make the reader wait for ever. The open is non-blocking (on a
    /// FIFO it returns at once), `fstat` decides, and the descriptor is then made blocking again.
    /// The process's own descriptors (``isOwnDescriptor(_:)``) are opened as they are, as
    /// ``specialFileProblem(_:)`` allows them. Callers still check the path first, so that a
    /// device is refused without being opened.
    package static func open(_ path: String) -> Opened {
        let own = isOwnDescriptor(path)
        var fd: Int32
        repeat {
            #if canImport(Glibc)
            fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | (own ? 0 : O_NONBLOCK))
            #elseif canImport(Darwin)
            fd = Darwin.open(path, O_RDONLY | O_CLOEXEC | (own ? 0 : O_NONBLOCK))
            #else
            fd = Musl.open(path, O_RDONLY | O_CLOEXEC | (own ? 0 : O_NONBLOCK))
            #endif
        } while fd < 0 && errno == EINTR
        guard fd >= 0 else { return .failed(errno) }
        guard !own else { return .descriptor(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            return .failed(code)
        }
        switch info.st_mode & S_IFMT {
        case S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK:
            close(fd)
            return .special
        case S_IFDIR:
            close(fd)
            return .folder
        default:
            let flags = fcntl(fd, F_GETFL)
            if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
            return .descriptor(fd)
        }
    }

    /// Every byte left on `fd`, up to `limit + 1` of them (so a caller sees that a file is
    /// larger than `limit`), or the `errno` of a failed read. Resumes interrupted reads.
    package static func readAll(_ fd: Int32, limit: Int) -> Result<[UInt8], ReadFailure> {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while out.count <= limit {
            let want = min(chunk.count, limit + 1 - out.count)
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, want) }
            if got < 0 {
                if errno == EINTR { continue }
                return .failure(ReadFailure(code: errno))
            }
            if got == 0 { break }
            out.append(contentsOf: chunk[0..<got])
        }
        return .success(out)
    }

    /// A failed `read(2)`.
    package struct ReadFailure: Error {
        /// Its `errno`.
        package let code: Int32
        /// The system's text for it.
        package var text: String { String(cString: strerror(code)) }
    }

    /// Whether `path` names one of the process's open descriptors.
    static func isOwnDescriptor(_ path: String) -> Bool {
        if path == "/dev/stdin" { return true }
        for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
            return Int32(path.dropFirst(prefix.count)) != nil
        }
        return false
    }
}
