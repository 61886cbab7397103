package dev.amishare.contract;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Where amishare may share, fixed at deploy time: the accounts of one organization (optionally only those
 * under some of its OUs), and optionally named accounts outside it. Nothing else gets launch permission, key
 * access, snapshot permission or a copy, whatever a request, an event or a direct invocation names.
 * <p>
 * The owner stack writes it into every function's environment ({@link #environment()}); the functions read
 * it back ({@link #fromEnvironment}). An empty perimeter allows nobody.
 *
 * @param organizationId the organization ({@code o-…}) whose member accounts may be targets, or null
 * @param organizationalUnitIds when not empty, only members under one of these OUs ({@code ou-…}), at any
 *     depth, and only these OUs and the OUs below them may be OU targets
 * @param accountIds accounts allowed besides the organization's members, e.g. partners outside it
 */
public record Perimeter(String organizationId, List<String> organizationalUnitIds, List<String> accountIds) {

    public static final String ENV_ORGANIZATION_ID = "AMISHARE_PERIMETER_ORGANIZATION_ID";
    public static final String ENV_OU_IDS = "AMISHARE_PERIMETER_OU_IDS";
    public static final String ENV_ACCOUNT_IDS = "AMISHARE_PERIMETER_ACCOUNT_IDS";

    private static final Pattern ORGANIZATION_ID = Pattern.compile("o-[a-z0-9]{10,32}");
    private static final Pattern OU_ID = Pattern.compile("ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}");
    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");

    public Perimeter {
        organizationId = organizationId == null || organizationId.isBlank() ? null : organizationId;
        organizationalUnitIds = organizationalUnitIds == null ? List.of() : List.copyOf(organizationalUnitIds);
        accountIds = accountIds == null ? List.of() : List.copyOf(accountIds);
        List<String> problems = problems(organizationId, organizationalUnitIds, accountIds);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid sharing perimeter: " + String.join("; ", problems));
        }
    }

    public static Perimeter ofAccounts(String... accountIds) {
        return new Perimeter(null, null, List.of(accountIds));
    }

    public static Perimeter ofOrganization(String organizationId) {
        return new Perimeter(organizationId, null, null);
    }

    private static List<String> problems(String org, List<String> ous, List<String> accounts) {
        List<String> problems = new ArrayList<>();
        if (org != null && !ORGANIZATION_ID.matcher(org).matches()) {
            problems.add("organizationId '" + org + "' is not an organization id (o-…)");
        }
        if (org == null && !ous.isEmpty()) {
            problems.add("OUs need the organization they belong to");
        }
        ous.stream().filter(o -> !OU_ID.matcher(o).matches())
                .forEach(o -> problems.add("'" + o + "' is not an OU id (ou-…)"));
        accounts.stream().filter(a -> !ACCOUNT_ID.matcher(a).matches())
                .forEach(a -> problems.add("'" + a + "' is not a 12-digit account id"));
        return problems;
    }

    /** True when nobody may be shared with. */
    public boolean isEmpty() {
        return organizationId == null && accountIds.isEmpty();
    }

    /** The environment variables the functions read it from. */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(ENV_ORGANIZATION_ID, organizationId == null ? "" : organizationId);
        env.put(ENV_OU_IDS, String.join(",", organizationalUnitIds));
        env.put(ENV_ACCOUNT_IDS, String.join(",", accountIds));
        return env;
    }

    /**
     * Reads what {@link #environment()} wrote. Missing variables read as empty, so a function deployed
     * without a perimeter gets an empty one and shares with nobody.
     */
    public static Perimeter fromEnvironment(Function<String, String> env) {
        Objects.requireNonNull(env, "env");
        return new Perimeter(env.apply(ENV_ORGANIZATION_ID), list(env.apply(ENV_OU_IDS)),
                list(env.apply(ENV_ACCOUNT_IDS)));
    }

    private static List<String> list(String value) {
        return value == null || value.isBlank() ? List.of()
                : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
