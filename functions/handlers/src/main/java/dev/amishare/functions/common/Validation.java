package dev.amishare.functions.common;

import dev.amishare.errors.InvalidShareRequestException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Collects every problem of an input before raising one named error, so one fix-up round suffices. */
public final class Validation {

    /** Each kind of id amishare accepts: its form, and the one way a problem describes what was expected. */
    public enum IdKind {
        // EC2 image ids: "ami-" and 8 (older) or 17 lower-case hex digits.
        IMAGE_ID("ami-(?:[0-9a-f]{8}|[0-9a-f]{17})", "an AMI id ('ami-' and 8 or 17 lower-case hex digits)"),
        SNAPSHOT_ID("snap-(?:[0-9a-f]{8}|[0-9a-f]{17})", "a snapshot id ('snap-' and 8 or 17 hex digits)"),
        ACCOUNT_ID("\\d{12}", "a 12-digit AWS account id"),
        ORGANIZATION_ARN("arn:aws[a-z-]*:organizations::\\d{12}:organization/o-[a-z0-9]{10,32}",
                "an organization ARN (arn:aws:organizations::<account>:organization/o-…)"),
        ORGANIZATIONAL_UNIT_ARN(
                "arn:aws[a-z-]*:organizations::\\d{12}:ou/o-[a-z0-9]{10,32}/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}",
                "an OU ARN (arn:aws:organizations::<account>:ou/o-…/ou-…)"),
        REGION("[a-z]{2}(?:-[a-z]+){1,2}-[0-9]{1,2}", "an AWS region name"),
        // A KMS key as CopyImage accepts it: key id (UUID or multi-Region mrk-), alias/name, key ARN or alias ARN.
        KMS_KEY_ID("(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}"
                + "|alias/[a-zA-Z0-9/_-]{1,250}"
                + "|arn:aws[a-z-]*:kms:[a-z]{2}(?:-[a-z]+){1,2}-[0-9]{1,2}:[0-9]{12}:"
                + "(?:key/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})"
                + "|alias/[a-zA-Z0-9/_-]{1,250}))", "a KMS key id, key ARN, alias/name or alias ARN"),
        KMS_KEY_ARN("arn:aws[a-z-]*:kms:[a-z]{2}(?:-[a-z]+){1,2}-[0-9]{1,2}:[0-9]{12}:key/"
                + "(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})", "a KMS key ARN"),
        // IAM role names and STS external ids, as IAM and STS define them.
        ROLE_NAME("[a-zA-Z0-9+=,.@_-]{1,64}", "an IAM role name"),
        EXTERNAL_ID("[a-zA-Z0-9+=,.@:/_-]{2,1224}", "an STS external id (2-1224 characters)");

        private final Pattern pattern;
        private final String expected;

        IdKind(String regex, String expected) {
            this.pattern = Pattern.compile(regex);
            this.expected = expected;
        }

        public Pattern pattern() {
            return pattern;
        }

        /** What a problem says was expected, e.g. "a 12-digit AWS account id". */
        public String expected() {
            return expected;
        }

        public boolean matches(String value) {
            return value != null && pattern.matcher(value).matches();
        }
    }

    private final List<String> problems = new ArrayList<>();

    public Validation require(boolean condition, String problem) {
        if (!condition) {
            problems.add(problem);
        }
        return this;
    }

    /** A required id: missing and malformed are problems. */
    public Validation matches(String value, IdKind kind, String field) {
        if (value == null) {
            problems.add(field + ": missing, expected " + kind.expected());
        } else if (!kind.matches(value)) {
            problems.add(field + ": '" + value + "' is not " + kind.expected());
        }
        return this;
    }

    /** An optional id: only a malformed one is a problem. */
    public Validation optional(String value, IdKind kind, String field) {
        return value == null ? this : matches(value, kind, field);
    }

    /** Checks a list of ids: each well-formed, none twice; {@code field} names the list in the problems. */
    public Validation each(List<String> values, IdKind kind, String field) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            matches(value, kind, field + "[" + i + "]");
            require(value == null || seen.add(value), field + "[" + i + "]: duplicate " + value);
        }
        return this;
    }

    /** Adds another check's problems, e.g. a nested record's. */
    public Validation addAll(List<String> more) {
        problems.addAll(more);
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
