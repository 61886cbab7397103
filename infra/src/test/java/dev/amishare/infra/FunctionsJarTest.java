package dev.amishare.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionsJarTest {

    @TempDir
    Path dir;

    private Path jar(String name, Instant time, String content) throws IOException {
        Path jar = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            ZipEntry entry = new ZipEntry("dev/amishare/A.class");
            entry.setLastModifiedTime(FileTime.from(time));
            zip.putNextEntry(entry);
            zip.write(content.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return jar;
    }

    @Test
    void contentHash_shouldStayTheSame_whenOnlyEntryTimesDiffer() throws IOException {
        // GIVEN two builds of the same code at different times
        Path first = jar("first.jar", Instant.parse("2026-01-01T00:00:00Z"), "code");
        Path second = jar("second.jar", Instant.parse("2026-11-23T05:00:00Z"), "code");

        // WHEN / THEN the asset hash is the same, although the files differ
        assertThat(Files.readAllBytes(first)).isNotEqualTo(Files.readAllBytes(second));
        assertThat(FunctionsJar.contentHash(first)).isEqualTo(FunctionsJar.contentHash(second)).hasSize(64);
    }

    @Test
    void contentHash_shouldChange_whenAnEntryChanges() throws IOException {
        // GIVEN two builds that differ in one class
        Instant time = Instant.parse("2026-01-01T00:00:00Z");

        // WHEN / THEN
        assertThat(FunctionsJar.contentHash(jar("a.jar", time, "code")))
                .isNotEqualTo(FunctionsJar.contentHash(jar("b.jar", time, "code changed")));
    }
}
