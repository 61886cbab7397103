package dev.amishare.tests.bench;

import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.Images;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
            "RESULT init_ms=(\\d+) construct_ms=([\\d.]+) first_request_ms=([\\d.]+) error=(\\S*) cpu_ms=(\\d+)");

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
        System.out.printf("%-28s %8s %8s %12s %14s %8s  %s%n", "handler", "runs", "init ms", "construct ms",
                "1st request ms", "cpu ms", "result");
        for (Case c : cases) {
            Path input = Files.createTempFile("amishare-bench", ".json");
            Files.writeString(input, c.input(), StandardCharsets.UTF_8);
            List<double[]> samples = new ArrayList<>();
            String error = "";
            for (int i = 0; i < runs; i++) {
                Matcher m = runOnce(endpoint, jar, benchClasses, c, input);
                samples.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                        Double.parseDouble(m.group(3)), Double.parseDouble(m.group(5))});
                error = m.group(4);
            }
            Files.delete(input);
            System.out.printf("%-28s %8d %8.0f %12.0f %14.0f %8.0f  %s%n", c.name(), runs, median(samples, 0),
                    median(samples, 1), median(samples, 2), median(samples, 3), error.isEmpty() ? "ok" : error);
        }
    }

    /** The handlers measured, each with a request that does real work on the emulator. */
    static List<Case> cases(Aws aws) {
        String imageId = Images.plain(aws.ec2(Accounts.OWNER));
        return List.of(new Case("GrantLaunchPermission", "dev.amishare.functions.launch.GrantLaunchPermissionHandler",
                "{\"imageId\":\"" + imageId + "\",\"accountIds\":[\"" + Accounts.CONSUMER + "\"]}"));
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
