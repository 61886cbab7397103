package dev.amishare.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * amishare's CDK app as the CDK CLI deployed it into the emulator ({@code tests/system/deploy.sh}): the
 * owner stack in {@link Accounts#OWNER}, the consumer stack in {@link Accounts#CONSUMER} and
 * {@link Accounts#THIRD}.
 *
 * @param stateMachineArn the sharing workflow
 * @param apiId the REST API's id
 * @param apiStage the REST API's stage
 * @param ledgerTable the owner stack's share ledger table
 */
public record DeployedSystem(String stateMachineArn, String apiId, String apiStage, String ledgerTable) {

    private static final Duration DEPLOY_TIMEOUT = Duration.ofMinutes(8);
    private static DeployedSystem deployed;

    /** Deploys once per JVM (the script itself skips stacks that have not changed). */
    public static synchronized DeployedSystem once(URI endpoint) {
        if (deployed == null) {
            deployed = deploy(endpoint, classPath(), true);
        }
        return deployed;
    }

    /**
     * Runs the deploy script against {@code endpoint} with the CDK app on {@code cdkClassPath};
     * {@code quiet} sends the script's progress to a log file instead of this process's stderr.
     */
    public static DeployedSystem deploy(URI endpoint, String cdkClassPath, boolean quiet) {
        Path root = repositoryRoot();
        Path out = root.resolve("tests/target/system");
        try {
            Files.createDirectories(out);
            ProcessBuilder builder = new ProcessBuilder("bash", root.resolve("tests/system/deploy.sh").toString(),
                    endpoint.toString())
                    .directory(root.toFile())
                    .redirectOutput(out.resolve("deploy.out").toFile());
            builder.environment().put("AMISHARE_CDK_CLASSPATH", cdkClassPath);
            if (quiet) {
                builder.redirectError(out.resolve("deploy.err").toFile());
            } else {
                builder.redirectError(ProcessBuilder.Redirect.INHERIT);
            }
            Process process = builder.start();
            if (!process.waitFor(DEPLOY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("deploying amishare took longer than " + DEPLOY_TIMEOUT);
            }
            if (process.exitValue() != 0) {
                String log = quiet ? Files.readString(out.resolve("deploy.err")) : "";
                throw new IllegalStateException("deploying amishare failed (exit " + process.exitValue() + ")\n" + log);
            }
            JsonNode outputs = new ObjectMapper().readTree(out.resolve("owner-outputs.json").toFile())
                    .path("AmishareOwner");
            // https://<api id>.execute-api.<host>/<stage>/shares
            URI api = URI.create(outputs.path("ApiUrl").asText());
            return new DeployedSystem(outputs.path("StateMachineArn").asText(), api.getHost().split("\\.")[0],
                    api.getPath().split("/")[1], outputs.path("LedgerTableName").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A resource of the REST API through the emulator's path form of an API URL (the
     * {@code execute-api.localhost.localstack.cloud} host form needs DNS, which is off here).
     */
    public URI apiUrl(URI endpoint, String path) {
        return URI.create(endpoint + "/restapis/" + apiId + "/" + apiStage + "/_user_request_" + path);
    }

    /** The class path the CDK app runs with, as tests/it's build wrote it (infra and its dependencies). */
    static String classPath() {
        String file = System.getProperty("amishare.classpath.file");
        if (file == null) {
            throw new IllegalStateException("amishare.classpath.file is not set (tests/it's Failsafe configuration "
                    + "sets it)");
        }
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder holding cdk.json, from the working directory up. */
    public static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("cdk.json"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("cdk.json not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
