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
        case S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK: return "not a regular file (a device, FIFO or socket)"
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
        return "cannot read the file (it is a folder)"
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
