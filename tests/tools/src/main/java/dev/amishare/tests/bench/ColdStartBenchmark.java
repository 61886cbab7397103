package dev.amishare.tests.bench;

import dev.amishare.functions.copy.CopyImageResult;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.Handlers;
import dev.amishare.tests.SharedAmi;
import dev.amishare.tests.Stages;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import dev.amishare.contract.Perimeter;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures, per handler, the cold start Lambda pays: a fresh JVM with only the deployment package on
 * its class path, the handler's no-arg constructor (class loading, SDK clients) and its first request
 * against the emulator. Prints the median of several runs and the deployment package's size.
 *
 * <p>Run with {@code bash tests/bench/cold-start.sh}; not a test, since timings vary with the machine.
 */
public final class ColdStartBenchmark {

    private static final Pattern RESULT = Pattern.compile(
            "RESULT init_ms=(\\d+) construct_ms=([\\d.]+) first_request_ms=([\\d.]+) error=(\\S*) cpu_ms=(\\d+)"
                    + " peak_rss_mb=(-?\\d+)");

    /** One handler and the request it is measured with. */
    record Case(String name, String handlerClass, String input) {
    }

    private ColdStartBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        URI endpoint = URI.create(args[0]);
        Path jar = Path.of(args[1]);
        Path benchClasses = Path.of(args[2]);
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 7;

        List<Case> cases;
        try (Aws aws = new Aws(endpoint)) {
            cases = cases(aws);
        }
        System.out.printf("deployment package %s: %.1f MB%n", jar.getFileName(), Files.size(jar) / 1024.0 / 1024.0);
        System.out.printf("%-28s %8s %8s %12s %14s %8s %8s  %s%n", "handler", "runs", "init ms", "construct ms",
                "1st request ms", "cpu ms", "rss MB", "result");
        for (Case c : cases) {
            Path input = Files.createTempFile("amishare-bench", ".json");
            Files.writeString(input, c.input(), StandardCharsets.UTF_8);
            List<double[]> samples = new ArrayList<>();
            String error = "";
            for (int i = 0; i < runs; i++) {
                Matcher m = runOnce(endpoint, jar, benchClasses, c, input);
                samples.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                        Double.parseDouble(m.group(3)), Double.parseDouble(m.group(5)), Double.parseDouble(m.group(6))});
                error = m.group(4);
            }
            Files.delete(input);
            System.out.printf("%-28s %8d %8.0f %12.0f %14.0f %8.0f %8.0f  %s%n", c.name(), runs, median(samples, 0),
                    median(samples, 1), median(samples, 2), median(samples, 3), median(samples, 4),
                    error.isEmpty() ? "ok" : error);
        }
    }

    /** The handlers measured, each with a request that does real work on the emulator. */
    static List<Case> cases(Aws aws) {
        // An AMI under two customer-managed keys, shared with every piece in place, so that every
        // handler's first request does its real work (reads, idempotent writes, assumed-role calls).
        SharedAmi ami = SharedAmi.create(aws);
        Stages stages = new Stages(aws);
        stages.grantLaunch(ami.imageId(), Accounts.CONSUMER);
        stages.grantKeys(ami.ownerKeyArns(), Accounts.CONSUMER);
        stages.shareSnapshots(ami.imageId(), Accounts.CONSUMER);
        String keys = json(ami.ownerKeyArns());
        String snapshots = json(stages.snapshotIds(ami.imageId()));
        String image = ami.imageId();
        String consumer = Accounts.CONSUMER;
        String copyInput = """
                {"sourceImageId":"%s","sourceRegion":"us-east-1","ownerAccountId":"%s","imageName":"golden",\
                "targetRole":{"accountId":"%s","roleName":"%s"},"region":"us-east-1","kmsKeyId":"%s"}"""
                .formatted(image, Accounts.OWNER, consumer, ami.consumerRoleName(), ami.consumerKeyArn());
        String copiedImage = Handlers.invoke(stages.copy, copyInput, CopyImageResult.class).imageId();
        return List.of(
                new Case("Prepare", "dev.amishare.functions.prepare.PrepareHandler", """
                        {"request":{"imageId":"%s","targets":[{"accountId":"%s","copy":[{"region":"us-east-1",\
                        "kmsKeyId":"%s"}]}]}}""".formatted(image, consumer, ami.consumerKeyArn())),
                new Case("GrantLaunchPermission", "dev.amishare.functions.launch.GrantLaunchPermissionHandler",
                        "{\"imageId\":\"" + image + "\",\"principals\":{\"accountIds\":[\"" + consumer + "\"]}}"),
                new Case("KeyPolicy", "dev.amishare.functions.keypolicy.KeyPolicyHandler",
                        "{\"keyArns\":" + keys + ",\"principals\":{\"accountIds\":[\"" + consumer + "\"]}}"),
                new Case("ShareSnapshots", "dev.amishare.functions.snapshots.ShareSnapshotsHandler",
                        "{\"snapshotIds\":" + snapshots + ",\"accountIds\":[\"" + consumer + "\"]}"),
                new Case("ValidateConsumer", "dev.amishare.functions.consumer.ValidateConsumerHandler", """
                        {"imageId":"%s","sourceRegion":"us-east-1","ownerAccountId":"%s",\
                        "targetRole":{"accountId":"%s","roleName":"%s"},\
                        "ownerKeyArns":%s,"copy":[{"region":"us-east-1","kmsKeyId":"%s"}]}"""
                        .formatted(image, Accounts.OWNER, consumer, ami.consumerRoleName(), keys, ami.consumerKeyArn())),
                new Case("CopyImage", "dev.amishare.functions.copy.CopyImageHandler", copyInput),
                new Case("CopyStatus", "dev.amishare.functions.copy.CopyStatusHandler", """
                        {"targetRole":{"accountId":"%s","roleName":"%s"},"region":"us-east-1","imageId":"%s"}"""
                        .formatted(consumer, ami.consumerRoleName(), copiedImage)),
                new Case("Revoke (dry run)", "dev.amishare.functions.revoke.RevokeHandler", """
                        {"imageId":"%s","principals":{"accountIds":["%s"]},"keyArns":%s,"snapshotIds":%s,"dryRun":true}"""
                        .formatted(image, consumer, keys, snapshots)));
    }

    private static String json(List<String> values) {
        return values.stream().map(v -> "\"" + v + "\"").collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }

    private static Matcher runOnce(URI endpoint, Path jar, Path benchClasses, Case c, Path input)
            throws IOException, InterruptedException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Lambda's Java runtimes start the JVM with C1 only (TieredStopAtLevel=1) to shorten cold starts.
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                "-cp", jar + java.io.File.pathSeparator + benchClasses,
                FirstInvocation.class.getName(), c.handlerClass(), input.toString())
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("AWS_ENDPOINT_URL", endpoint.toString());
        env.put("AWS_REGION", Accounts.REGION);
        env.put("AWS_ACCESS_KEY_ID", Accounts.OWNER);
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("AMISHARE_LOG_LEVEL", "WARN");
        // The sharing perimeter as the owner stack sets it: the emulator's organization, so the functions
        // that check it pay their Organizations calls in the measurement.
        env.putAll(Perimeter.ofOrganization(Accounts.ORGANIZATION_ID).environment());
        // JVM options a function would set through its JAVA_TOOL_OPTIONS environment variable (for
        // instance -XX:SharedArchiveFile=...), to measure them the way Lambda would apply them.
        String toolOptions = System.getenv("AMISHARE_BENCH_JAVA_TOOL_OPTIONS");
        if (toolOptions != null && !toolOptions.isBlank()) {
            env.put("JAVA_TOOL_OPTIONS", toolOptions);
        } else {
            env.remove("JAVA_TOOL_OPTIONS");
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(c.name() + " failed:\n" + out);
        }
        Matcher m = RESULT.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException(c.name() + " printed no result:\n" + out);
        }
        return m;
    }

    private static double median(List<double[]> samples, int column) {
        double[] values = samples.stream().mapToDouble(s -> s[column]).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
