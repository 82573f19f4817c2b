# Sourced by the ensure-*.sh scripts.
#
# apt_sudo MESSAGE: sets SUDO to "" (running as root) or "sudo", or prints
# "error: MESSAGE" and exits 1 when neither is available.
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

# install_missing WHAT FORMULA PACKAGE...: installs the Debian/Ubuntu PACKAGEs with
# apt-get (sudo when not root), else the Homebrew FORMULA; otherwise (or without
# root or sudo) prints one line naming what to install and exits 1.
# Usage: install_missing GLPK glpk libglpk-dev glpk-utils
install_missing() {
    local what="$1" formula="$2"
    shift 2
    if command -v apt-get >/dev/null 2>&1; then
        apt_sudo "$what is missing; install it as root: apt-get install $*"
        local list
        list=$(printf '%s, ' "$@")
        echo "Installing $what (${list%, }) with apt-get..." >&2
        export DEBIAN_FRONTEND=noninteractive
        $SUDO apt-get update -qq >/dev/null
        $SUDO apt-get install -y -qq "$@" >/dev/null
    elif command -v brew >/dev/null 2>&1; then
        echo "Installing $formula with Homebrew..." >&2
        brew install "$formula"
    else
        local packages
        packages=$(printf '%s and ' "$@")
        packages=${packages% and }
        echo "error: $what is missing; install $packages (Debian/Ubuntu) or $formula (Homebrew)" >&2
        exit 1
    fi
}
