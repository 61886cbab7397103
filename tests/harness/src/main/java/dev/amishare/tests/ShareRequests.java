package dev.amishare.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The share requests of {@code events/system/}, with their {@code ${name}} placeholders filled in. */
public final class ShareRequests {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z]+)}");

    private ShareRequests() {
    }

    /** {@code events/system/<file>} with every placeholder replaced; a placeholder without a value fails. */
    public static String fromFile(String file, Map<String, String> values) {
        String template;
        try {
            template = Files.readString(DeployedSystem.repositoryRoot().resolve("events/system").resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("no value for ${" + m.group(1) + "} in " + file);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }
}
