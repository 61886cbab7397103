package dev.amishare.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Finds the Lambda deployment package that the functions module builds. */
final class FunctionsJar {

    static final String PROPERTY = "amishare.functions.jar";

    private FunctionsJar() {
    }

    /** SHA-256 over the package's entry names and contents, in order; entry times do not count. */
    static String contentHash(Path jar) {
        try (InputStream in = Files.newInputStream(jar); ZipInputStream zip = new ZipInputStream(in)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[65536];
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                digest.update(entry.getName().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                for (int n; (n = zip.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path locate() {
        String configured = System.getProperty(PROPERTY);
        Path jar = configured != null
                ? Path.of(configured)
                : Path.of("functions", "handlers", "target", "amishare-functions-lambda.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("Lambda deployment package not found at " + jar.toAbsolutePath()
                    + ": build it first with ./mvnw -pl functions/handlers -am package");
        }
        return jar.toAbsolutePath().normalize();
    }
}
