package dev.amishare.infra;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the Lambda deployment package that the functions module builds. */
final class FunctionsJar {

    static final String PROPERTY = "amishare.functions.jar";

    private FunctionsJar() {
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
