# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by build-aux/run and build-aux/test: installs the Debian packages
# Tales needs to build, run and test, when any of them is missing.

TALES_DEBIAN_PACKAGES=(
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin libxml2-dev libjson-glib-dev libsqlite3-dev libsoup-3.0-dev
  libgtk-4-dev libadwaita-1-dev libwebkitgtk-6.0-dev
  desktop-file-utils appstream flatpak-builder xvfb xauth imagemagick fonts-cantarell python3
  clang libclang-rt-14-dev locales dbus-daemon
  librsvg2-dev
)

tales_install_deps () {
  local missing=()
  local pkg
  for pkg in "${TALES_DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  local cmd="apt-get install -y -o DPkg::Lock::Timeout=900 ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "Tales needs these Debian packages; install them as root with:" >&2
    echo "  sudo apt-get update && sudo $cmd" >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}" >&2
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $cmd >&2
}

# Polish and German locales, so the localisation tests see translated dates.
tales_ensure_locales () {
  local have
  have=$(locale -a 2>/dev/null | tr 'A-Z' 'a-z')
  if grep -qx 'pl_pl.utf8' <<<"$have" && grep -qx 'de_de.utf8' <<<"$have"; then
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || return 0   # without them those checks say they were skipped
  sed -i -E 's/^# *((pl_PL|de_DE)\.UTF-8 UTF-8)/\1/' /etc/locale.gen
  grep -qE '^pl_PL\.UTF-8' /etc/locale.gen || echo 'pl_PL.UTF-8 UTF-8' >> /etc/locale.gen
  grep -qE '^de_DE\.UTF-8' /etc/locale.gen || echo 'de_DE.UTF-8 UTF-8' >> /etc/locale.gen
  locale-gen >&2
}

tales_build () {
  local builddir=$1; shift
  if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" "$@" >&2 || return 1
  elif [ $# -gt 0 ]; then
    meson configure "$builddir" "$@" >&2 || return 1
  fi
  ninja -C "$builddir" >&2
}
