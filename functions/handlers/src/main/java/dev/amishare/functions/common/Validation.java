package dev.amishare.functions.common;

import dev.amishare.errors.InvalidShareRequestException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Collects every problem of an input before raising one named error, so one fix-up round suffices. */
public final class Validation {

    // EC2 image ids: "ami-" and 8 (older) or 17 lower-case hex digits.
    public static final Pattern IMAGE_ID = Pattern.compile("ami-(?:[0-9a-f]{8}|[0-9a-f]{17})");
    public static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
    public static final Pattern ORGANIZATION_ARN =
            Pattern.compile("arn:aws[a-z-]*:organizations::\\d{12}:organization/o-[a-z0-9]{10,32}");
    public static final Pattern ORGANIZATIONAL_UNIT_ARN = Pattern.compile(
            "arn:aws[a-z-]*:organizations::\\d{12}:ou/o-[a-z0-9]{10,32}/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}");

    public static final Pattern REGION = Pattern.compile("[a-z]{2}(?:-[a-z]+){1,2}-[0-9]{1,2}");
    // A KMS key as CopyImage accepts it: key id (UUID or multi-Region mrk-), alias/name, key ARN or alias ARN.
    public static final Pattern KMS_KEY_ID = Pattern.compile(
            "(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias/[a-zA-Z0-9/_-]{1,250}"
            + "|arn:aws[a-z-]*:kms:[a-z]{2}(?:-[a-z]+){1,2}-[0-9]{1,2}:[0-9]{12}:"
            + "(?:key/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})"
            + "|alias/[a-zA-Z0-9/_-]{1,250}))");
    public static final Pattern KMS_KEY_ARN = Pattern.compile("arn:aws[a-z-]*:kms:[a-z]{2}(?:-[a-z]+){1,2}-[0-9]{1,2}"
            + ":[0-9]{12}:key/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})");
    public static final Pattern SNAPSHOT_ID = Pattern.compile("snap-(?:[0-9a-f]{8}|[0-9a-f]{17})");
    // IAM role names and STS external ids, as IAM and STS define them.
    public static final Pattern ROLE_NAME = Pattern.compile("[a-zA-Z0-9+=,.@_-]{1,64}");
    public static final Pattern EXTERNAL_ID = Pattern.compile("[a-zA-Z0-9+=,.@:/_-]{2,1224}");

    private final List<String> problems = new ArrayList<>();

    public Validation require(boolean condition, String problem) {
        if (!condition) {
            problems.add(problem);
        }
        return this;
    }

    public Validation matches(String value, Pattern pattern, String field, String expected) {
        if (value == null) {
            problems.add(field + ": missing, expected " + expected);
        } else if (!pattern.matcher(value).matches()) {
            problems.add(field + ": '" + value + "' is not " + expected);
        }
        return this;
    }

    /** Checks a list of ids: each well-formed, none twice; {@code field} names the list in the problems. */
    public Validation each(List<String> values, Pattern pattern, String field, String expected) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            matches(value, pattern, field + "[" + i + "]", expected);
            require(value == null || seen.add(value), field + "[" + i + "]: duplicate " + value);
        }
        return this;
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** Raises the named validation error when anything was wrong. */
    public void throwIfInvalid() {
        if (!problems.isEmpty()) {
            throw new InvalidShareRequestException(problems);
        }
    }
}
