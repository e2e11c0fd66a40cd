package io.custos;

/**
 * Loads libcustos_jni. On Android the library is packaged per ABI in the AAR
 * and found by System.loadLibrary; on a desktop JVM it is found through
 * java.library.path (the tests set it to the build tree).
 */
final class NativeLoader {
    private static boolean loaded;

    private NativeLoader() {
    }

    static synchronized void load() {
        if (!loaded) {
            System.loadLibrary("custos_jni");
            loaded = true;
        }
    }
}
