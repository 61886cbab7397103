package dev.amishare.statemachine;

import dev.amishare.errors.AmishareException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every failure mode amishare defines: the concrete {@link AmishareException}s of {@code dev.amishare.errors},
 * found on the class path (a directory in the reactor build, a jar otherwise), so that a new exception is
 * checked against the state machine's retries without anybody listing it here.
 */
final class Failures {

    private static final String PACKAGE = AmishareException.class.getPackageName();

    private Failures() {
    }

    static List<Class<?>> all() {
        try {
            Path location = Path.of(
                    AmishareException.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(location)) {
                return scan(location);
            }
            try (FileSystem jar = FileSystems.newFileSystem(location, Map.of())) {
                return scan(jar.getPath("/"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Class<?>> scan(Path root) throws IOException {
        List<Class<?>> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(root.resolve(PACKAGE.replace('.', '/')))) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".class") || name.contains("$")) {
                    continue;
                }
                Class<?> type = load(PACKAGE + "." + name.substring(0, name.length() - ".class".length()));
                if (AmishareException.class.isAssignableFrom(type) && !Modifier.isAbstract(type.getModifiers())) {
                    found.add(type);
                }
            }
        }
        return found;
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, Failures.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
