# Toolchain for 64-bit Arm Linux (glibc), as Debian cross-builds it: the
# gcc-aarch64-linux-gnu cross compiler, the dependencies' arm64 packages
# installed through multiarch (libsodium-dev:arm64 and the others, in
# /usr/lib/aarch64-linux-gnu), and qemu-user to run what is built
# (tests/stages/stage-aarch64; scripts/deps full installs all of it).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_AR aarch64-linux-gnu-ar)
set(CMAKE_RANLIB aarch64-linux-gnu-ranlib)
set(CMAKE_NM aarch64-linux-gnu-nm)
set(CMAKE_READELF aarch64-linux-gnu-readelf)
set(CMAKE_STRIP aarch64-linux-gnu-strip)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# The arm64 libc of libc6:arm64 puts the loader at /lib/ld-linux-aarch64.so.1,
# so qemu-aarch64 needs no -L; QEMU_LD_PREFIX may still point elsewhere.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
# Only the arm64 .pc files (multiarch), never the host's.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
# Host programs (protoc-c, python3) run on the build machine; libraries and
# headers are the target's.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
