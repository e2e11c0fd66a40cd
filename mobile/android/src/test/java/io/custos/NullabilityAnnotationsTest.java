package io.custos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.Test;

/**
 * Every reference type of the public API (parameters and returns of public
 * and protected methods and constructors, public fields) carries exactly one
 * of org.jetbrains.annotations.NotNull / Nullable, so that Kotlin sees
 * String and String? instead of String!. The annotations have CLASS
 * retention (reflection cannot see them), so this reads the class files of
 * the built jar itself: their RuntimeInvisible(Parameter)Annotations.
 * What is exempt: what javac writes for an enum (values(), valueOf(String),
 * the constants, which Kotlin knows are not null), synthetic and bridge
 * methods.
 */
public class NullabilityAnnotationsTest {
    private static final String NOT_NULL = "Lorg/jetbrains/annotations/NotNull;";
    private static final String NULLABLE = "Lorg/jetbrains/annotations/Nullable;";

    private static final int ACC_PUBLIC = 0x0001;
    private static final int ACC_PROTECTED = 0x0004;
    private static final int ACC_BRIDGE = 0x0040;
    private static final int ACC_SYNTHETIC = 0x1000;
    private static final int ACC_ENUM = 0x4000;

    @Test
    public void everyReferenceTypeOfThePublicApiSaysWhetherItMayBeNull() throws IOException {
        List<String> missing = new ArrayList<>();
        int[] counts = new int[3]; /* classes, members, annotated positions */
        try (JarFile jar = new JarFile(packageJar().toFile())) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                if (e.getName().startsWith("io/custos/") && e.getName().endsWith(".class")) {
                    try (InputStream in = jar.getInputStream(e)) {
                        check(ClassFile.read(in.readAllBytes()), missing, counts);
                    }
                }
            }
        }
        assertTrue("no public class checked", counts[0] > 0);
        System.out.println("nullability: " + counts[0] + " public classes, " + counts[1] + " members, "
            + counts[2] + " annotated positions");
        if (!missing.isEmpty()) {
            fail(missing.size() + " reference types of the public API lack @NotNull or @Nullable "
                + "(or carry both):\n  " + String.join("\n  ", missing));
        }
    }

    /* The annotations are compile-only: this suite (and the app) runs without them. */
    @Test
    public void theAnnotationsAreNotNeededAtRunTime() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.jetbrains.annotations.NotNull"));
    }

    /* The jar the build made (not the classes on the class path, which may be a shrunk copy). */
    private static Path packageJar() {
        String b = System.getProperty("custos.binary.dir");
        assertTrue("-Dcustos.binary.dir is not set", b != null);
        Path jar = Path.of(b, "java", "custos.jar");
        assertTrue("no package jar at " + jar, Files.isRegularFile(jar));
        return jar;
    }

    private static void check(ClassFile c, List<String> missing, int[] counts) {
        if (!c.isApi()) {
            return;
        }
        counts[0]++;
        String cls = c.name.replace('/', '.');
        boolean isEnum = (c.access & ACC_ENUM) != 0;
        for (ClassFile.Member f : c.fields) {
            if (!visible(f.access) || (f.access & (ACC_SYNTHETIC | ACC_ENUM)) != 0 || !isReference(f.descriptor)) {
                continue;
            }
            counts[1]++;
            counts[2] += mark(f.annotations, cls + "." + f.name + " (field)", missing);
        }
        for (ClassFile.Member m : c.methods) {
            if (!visible(m.access) || (m.access & (ACC_SYNTHETIC | ACC_BRIDGE)) != 0 || m.name.equals("<clinit>")
                || (isEnum && (m.name.equals("values") || m.name.equals("valueOf")))) {
                continue;
            }
            counts[1]++;
            String where = cls + "." + m.name + m.descriptor;
            List<String> params = parameterTypes(m.descriptor);
            String ret = m.descriptor.substring(m.descriptor.indexOf(')') + 1);
            if (!m.name.equals("<init>") && isReference(ret)) {
                counts[2] += mark(m.annotations, where + " return", missing);
            }
            /* javac may leave out leading synthetic parameters (an inner class's outer instance). */
            int skip = m.parameterAnnotations == null ? 0 : params.size() - m.parameterAnnotations.size();
            for (int i = 0; i < params.size(); i++) {
                if (!isReference(params.get(i))) {
                    continue;
                }
                Set<String> a = m.parameterAnnotations != null && i >= skip
                    ? m.parameterAnnotations.get(i - skip) : new HashSet<String>();
                counts[2] += mark(a, where + " parameter " + i, missing);
            }
        }
    }

    /* 1 if exactly one of the two is there; else the position is listed as missing. */
    private static int mark(Set<String> annotations, String where, List<String> missing) {
        boolean notNull = annotations.contains(NOT_NULL);
        boolean nullable = annotations.contains(NULLABLE);
        if (notNull == nullable) {
            missing.add(where + (notNull ? ": both" : ""));
            return 0;
        }
        return 1;
    }

    private static boolean visible(int access) {
        return (access & (ACC_PUBLIC | ACC_PROTECTED)) != 0;
    }

    private static boolean isReference(String descriptor) {
        return descriptor.startsWith("L") || descriptor.startsWith("[");
    }

    private static List<String> parameterTypes(String descriptor) {
        List<String> out = new ArrayList<>();
        int i = 1;
        while (descriptor.charAt(i) != ')') {
            int start = i;
            while (descriptor.charAt(i) == '[') {
                i++;
            }
            i = descriptor.charAt(i) == 'L' ? descriptor.indexOf(';', i) + 1 : i + 1;
            out.add(descriptor.substring(start, i));
        }
        return out;
    }

    @Test
    public void theDescriptorReaderSplitsParameters() {
        assertEquals(List.of("I", "[B", "Ljava/lang/String;", "[[Ljava/lang/Object;", "J"),
            parameterTypes("(I[BLjava/lang/String;[[Ljava/lang/Object;J)V"));
    }

    /**
     * The parts of a class file (JVMS 4) this test needs: access flags,
     * name, whether a nested class is public, and per field and method its
     * declaration annotations and parameter annotations (type names only).
     */
    static final class ClassFile {
        static final class Member {
            int access;
            String name;
            String descriptor;
            Set<String> annotations = new HashSet<>();
            List<Set<String>> parameterAnnotations; /* null: no such attribute */
        }

        int access;
        String name;
        /* The access of this class as its InnerClasses entry states it, for a nested class. */
        Integer nestedAccess;
        final List<Member> fields = new ArrayList<>();
        final List<Member> methods = new ArrayList<>();
        private Object[] pool;

        boolean isApi() {
            int a = nestedAccess != null ? nestedAccess : access;
            return (a & (ACC_PUBLIC | ACC_PROTECTED)) != 0 && (access & ACC_SYNTHETIC) == 0
                && !name.endsWith("/package-info");
        }

        static ClassFile read(byte[] bytes) throws IOException {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            ClassFile c = new ClassFile();
            if (in.readInt() != 0xCAFEBABE) {
                throw new IOException("not a class file");
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            c.readPool(in);
            c.access = in.readUnsignedShort();
            c.name = c.className(in.readUnsignedShort());
            in.readUnsignedShort(); /* super */
            int interfaces = in.readUnsignedShort();
            for (int i = 0; i < interfaces; i++) {
                in.readUnsignedShort();
            }
            c.readMembers(in, c.fields);
            c.readMembers(in, c.methods);
            int attributes = in.readUnsignedShort();
            for (int i = 0; i < attributes; i++) {
                String name = c.utf8(in.readUnsignedShort());
                int len = in.readInt();
                if (name.equals("InnerClasses")) {
                    int n = in.readUnsignedShort();
                    for (int k = 0; k < n; k++) {
                        int inner = in.readUnsignedShort();
                        in.readUnsignedShort();
                        in.readUnsignedShort();
                        int flags = in.readUnsignedShort();
                        if (c.name.equals(c.className(inner))) {
                            c.nestedAccess = flags;
                        }
                    }
                } else {
                    in.skipBytes(len);
                }
            }
            return c;
        }

        private void readPool(DataInputStream in) throws IOException {
            int n = in.readUnsignedShort();
            pool = new Object[n];
            for (int i = 1; i < n; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1: pool[i] = in.readUTF(); break;
                    case 7: case 8: case 16: case 19: case 20: pool[i] = in.readUnsignedShort(); break;
                    case 15: in.skipBytes(3); break;
                    case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: in.skipBytes(4); break;
                    case 5: case 6: in.skipBytes(8); i++; break;
                    default: throw new IOException("constant pool tag " + tag);
                }
            }
        }

        private String utf8(int index) {
            return (String) pool[index];
        }

        private String className(int index) {
            return utf8((Integer) pool[index]);
        }

        private void readMembers(DataInputStream in, List<Member> out) throws IOException {
            int n = in.readUnsignedShort();
            for (int i = 0; i < n; i++) {
                Member m = new Member();
                m.access = in.readUnsignedShort();
                m.name = utf8(in.readUnsignedShort());
                m.descriptor = utf8(in.readUnsignedShort());
                int attributes = in.readUnsignedShort();
                for (int k = 0; k < attributes; k++) {
                    String name = utf8(in.readUnsignedShort());
                    int len = in.readInt();
                    if (name.equals("RuntimeInvisibleAnnotations") || name.equals("RuntimeVisibleAnnotations")) {
                        readAnnotations(in, m.annotations);
                    } else if (name.equals("RuntimeInvisibleParameterAnnotations")
                        || name.equals("RuntimeVisibleParameterAnnotations")) {
                        int params = in.readUnsignedByte();
                        if (m.parameterAnnotations == null) {
                            m.parameterAnnotations = new ArrayList<>();
                        }
                        for (int p = 0; p < params; p++) {
                            if (m.parameterAnnotations.size() <= p) {
                                m.parameterAnnotations.add(new HashSet<String>());
                            }
                            readAnnotations(in, m.parameterAnnotations.get(p));
                        }
                    } else {
                        in.skipBytes(len);
                    }
                }
                out.add(m);
            }
        }

        private void readAnnotations(DataInputStream in, Set<String> out) throws IOException {
            int n = in.readUnsignedShort();
            for (int i = 0; i < n; i++) {
                out.add(readAnnotation(in));
            }
        }

        private String readAnnotation(DataInputStream in) throws IOException {
            String type = utf8(in.readUnsignedShort());
            int pairs = in.readUnsignedShort();
            for (int i = 0; i < pairs; i++) {
                in.readUnsignedShort();
                skipElementValue(in);
            }
            return type;
        }

        private void skipElementValue(DataInputStream in) throws IOException {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 'e': in.skipBytes(4); break;
                case '@': readAnnotation(in); break;
                case '[': {
                    int n = in.readUnsignedShort();
                    for (int i = 0; i < n; i++) {
                        skipElementValue(in);
                    }
                    break;
                }
                default: in.skipBytes(2); break; /* B C D F I J S Z s c: one constant pool index */
            }
        }
    }
}
