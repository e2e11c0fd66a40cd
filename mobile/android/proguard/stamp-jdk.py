#!/usr/bin/env python3
"""Write a library jar of the running JDK's java.base classes for ProGuard.

Debian's ProGuard (6.2) reads class files up to Java 13, but a JDK 17's
java.base is version 61. ProGuard reads library classes only for their
names, hierarchy and member signatures (it never rewrites them), so their
version field is lowered to 57; nothing else changes.

  stamp-jdk.py EXTRACTED_JMOD_CLASSES_DIR OUT_JAR
"""
import os
import struct
import sys
import zipfile

PACKAGES = ("java/lang/", "java/util/", "java/io/", "java/nio/", "java/security/", "java/math/",
            "java/net/", "java/text/", "java/time/", "javax/crypto/", "javax/security/")
MAX_MAJOR = 57


def main(src, out):
    n = 0
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as z:
        for root, _, files in os.walk(src):
            for f in files:
                path = os.path.join(root, f)
                rel = os.path.relpath(path, src).replace(os.sep, "/")
                if not f.endswith(".class") or not rel.startswith(PACKAGES):
                    continue
                data = bytearray(open(path, "rb").read())
                if data[:4] != b"\xca\xfe\xba\xbe":
                    sys.exit("stamp-jdk: %s is not a class file" % rel)
                if struct.unpack(">H", data[6:8])[0] > MAX_MAJOR:
                    data[4:8] = struct.pack(">HH", 0, MAX_MAJOR)
                z.writestr(rel, bytes(data))
                n += 1
    if n < 1000:
        sys.exit("stamp-jdk: only %d classes under %s: not a java.base" % (n, src))
    os.replace(tmp, out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
