package dev.amishare.tests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The emulator the integration tests talk to. With {@code AWS_ENDPOINT_URL} set, that endpoint is
 * used as it is (for example a LocalStack container with an auth token); otherwise
 * {@code tests/localstack/localstack.sh} installs and starts the open-source LocalStack in host mode.
 */
public final class LocalStack {

    private static final String SCRIPT_PROPERTY = "amishare.localstack.script";

    private final URI endpoint;
    private final boolean startedHere;

    private LocalStack(URI endpoint, boolean startedHere) {
        this.endpoint = endpoint;
        this.startedHere = startedHere;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Whether this process started the emulator and so must stop it. */
    public boolean startedHere() {
        return startedHere;
    }

    /** Connects to {@code AWS_ENDPOINT_URL} when it is set, otherwise starts an emulator with the script. */
    public static LocalStack startOrConnect() {
        String configured = System.getenv("AWS_ENDPOINT_URL");
        if (configured != null && !configured.isBlank()) {
            URI uri = URI.create(configured.trim());
            if (!isHealthy(uri)) {
                throw new IllegalStateException("AWS_ENDPOINT_URL=" + configured
                        + " does not answer on /_localstack/health; start LocalStack there or unset it");
            }
            return new LocalStack(uri, false);
        }
        Path script = script();
        boolean alreadyUp = run(script, "status", Duration.ofSeconds(10)).exitCode() == 0;
        Result start = run(script, "start", Duration.ofMinutes(15));
        if (start.exitCode() != 0) {
            throw new IllegalStateException("could not start LocalStack with " + script + " (exit "
                    + start.exitCode() + "):\n" + start.output());
        }
        List<String> lines = start.output().lines().filter(l -> l.startsWith("http")).toList();
        if (lines.isEmpty()) {
            throw new IllegalStateException("the start script printed no endpoint:\n" + start.output());
        }
        return new LocalStack(URI.create(lines.get(lines.size() - 1).trim()), !alreadyUp);
    }

    public void stop() {
        if (startedHere) {
            Result r = run(script(), "stop", Duration.ofMinutes(1));
            if (r.exitCode() != 0) {
                throw new IllegalStateException("could not stop LocalStack:\n" + r.output());
            }
        }
    }

    public static boolean isHealthy(URI endpoint) {
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(endpoint.resolve("/_localstack/health")).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static Path script() {
        String configured = System.getProperty(SCRIPT_PROPERTY);
        if (configured != null) {
            return Path.of(configured);
        }
        // From the repository root or from a module under tests/, whichever the JVM was started in.
        for (Path candidate : List.of(Path.of("tests/localstack/localstack.sh"), Path.of("../localstack/localstack.sh"))) {
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw new IllegalStateException("tests/localstack/localstack.sh not found; set -D" + SCRIPT_PROPERTY);
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(Path script, String command, Duration timeout) {
        try {
            Process p = new ProcessBuilder("bash", script.toString(), command).redirectErrorStream(true).start();
            StringBuilder out = new StringBuilder();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (out) {
                            out.append(line).append('\n');
                        }
                        if (line.startsWith("[localstack]")) {
                            System.err.println(line);
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(script + " " + command + " did not finish in " + timeout);
            }
            reader.join(5_000);
            synchronized (out) {
                return new Result(p.exitValue(), out.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + script + " " + command, e);
        }
    }
}
