package dev.amishare.tests.bench;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs in a fresh JVM with only the Lambda deployment package on the class path: constructs one
 * handler with its no-arg constructor, as Lambda does, serves one request, and prints how long the
 * JVM took from its start to the end of that first request, and the two parts of it.
 */
public final class FirstInvocation {

    private FirstInvocation() {
    }

    public static void main(String[] args) throws Exception {
        String handlerClass = args[0];
        byte[] input = Files.readAllBytes(Path.of(args[1]));

        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long t0 = System.nanoTime();
        RequestStreamHandler handler = (RequestStreamHandler) Class.forName(handlerClass).getDeclaredConstructor().newInstance();
        long t1 = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String error = "";
        try {
            handler.handleRequest(new ByteArrayInputStream(input), out, null);
        } catch (RuntimeException e) {
            // A named failure is still a served request; the benchmark reports it beside the time.
            error = e.getClass().getName();
        }
        long t2 = System.nanoTime();
        long sinceJvmStart = System.currentTimeMillis() - jvmStart;
        // CPU time of the whole JVM (all threads) up to here: unlike the wall-clock figures it hardly
        // moves when other processes compete for the machine's cores. Read after the measurement.
        long cpuNanos = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        System.out.printf("RESULT init_ms=%d construct_ms=%.1f first_request_ms=%.1f error=%s cpu_ms=%.0f"
                        + " peak_rss_mb=%d output_bytes=%d%n",
                sinceJvmStart, (t1 - t0) / 1e6, (t2 - t1) / 1e6, error, cpuNanos / 1e6, peakRssMb(), out.size());
        System.out.flush();
        System.out.println(new String(out.toByteArray(), StandardCharsets.UTF_8));
    }

    /** Peak resident memory (VmHWM) so far: what Lambda reports as "Max Memory Used". */
    private static long peakRssMb() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }
}
