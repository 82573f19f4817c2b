# Sourced by the ensure-*.sh scripts: sets SUDO to "" (running as root) or "sudo",
# or prints "error: <message>" and exits 1 when neither is available.
# Usage: apt_sudo "GLPK is missing; install it as root: apt-get install ..."
apt_sudo() {
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
            echo "error: $1" >&2
            exit 1
        fi
    fi
}
