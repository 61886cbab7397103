package dev.amishare.functions.common;

import dev.amishare.contract.Perimeter;
import dev.amishare.errors.OutsidePerimeterException;
import dev.amishare.errors.PerimeterNotConfiguredException;
import dev.amishare.functions.model.Principals;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.organizations.model.Parent;
import software.amazon.awssdk.services.organizations.model.ParentType;

/**
 * Checks principals against the {@link Perimeter} before anything changes. Every function that grants,
 * revokes or copies runs its own input through it, so a direct invocation cannot go around Prepare.
 * <p>
 * An account listed in the perimeter is allowed as it is. Any other account must be a member of the
 * perimeter's organization, which Organizations answers ({@code DescribeAccount} succeeds only for
 * members; {@code ListParents} up to the root gives its OUs); this works from the management account or a
 * delegated administrator, where the owner stack runs. Organization targets must be the perimeter's
 * organization, OU targets one of its allowed OUs or below one. Answers are remembered for a minute, so a
 * request checked in several places asks Organizations once per principal, and an account that leaves the
 * organization is refused a minute later at most, however long the function's container lives.
 */
public final class PerimeterGuard {

    private static final Logger LOG = LogManager.getLogger(PerimeterGuard.class);
    private static final Pattern ORG_ARN = Pattern.compile("arn:[^:]+:organizations::\\d{12}:organization/(o-[a-z0-9]+)");
    private static final Pattern OU_ARN =
            Pattern.compile("arn:[^:]+:organizations::\\d{12}:ou/(o-[a-z0-9]+)/(ou-[a-z0-9-]+)");

    private final Perimeter perimeter;
    private final OrganizationsClient organizations;
    private static final long REMEMBER_MILLIS = 60_000;

    /** Why a principal is refused (null: allowed), and until when the answer holds. */
    private record Verdict(String reason, long until) {
    }

    private final Map<String, Verdict> verdicts = new HashMap<>();

    /**
     * @param organizations asks whether an account is a member, and its OUs; may be null when the
     *     perimeter names no organization
     */
    public PerimeterGuard(Perimeter perimeter, OrganizationsClient organizations) {
        this.perimeter = perimeter;
        this.organizations = organizations;
    }

    /** A guard allowing exactly these accounts (no organization, no Organizations call). */
    public static PerimeterGuard allowing(String... accountIds) {
        return new PerimeterGuard(Perimeter.ofAccounts(accountIds), null);
    }

    public Perimeter perimeter() {
        return perimeter;
    }

    /** Refuses, with one error naming each, every principal outside the perimeter. */
    public void check(Principals principals) {
        List<String> refused = new ArrayList<>();
        principals.accountIds().forEach(a -> refusal(a, () -> accountVerdict(a), refused));
        principals.organizationArns().forEach(o -> refusal(o, () -> organizationVerdict(o), refused));
        principals.organizationalUnitArns().forEach(o -> refusal(o, () -> ouVerdict(o), refused));
        if (!refused.isEmpty()) {
            LOG.warn("refused {} principals outside the perimeter: {}", refused.size(), refused);
            throw new OutsidePerimeterException(refused);
        }
    }

    public void checkAccounts(Collection<String> accountIds) {
        check(Principals.ofAccounts(List.copyOf(new LinkedHashSet<>(accountIds))));
    }

    private void refusal(String principal, java.util.function.Supplier<String> verdict, List<String> refused) {
        requireConfigured();
        long now = System.currentTimeMillis();
        Verdict known = verdicts.get(principal);
        if (known == null || known.until() < now) {
            known = new Verdict(verdict.get(), now + REMEMBER_MILLIS);
            verdicts.put(principal, known);
        }
        String reason = known.reason();
        if (reason != null) {
            refused.add(principal + " (" + reason + ")");
        }
    }

    private void requireConfigured() {
        if (perimeter.isEmpty()) {
            throw new PerimeterNotConfiguredException("no organization and no account in "
                    + Perimeter.ENV_ORGANIZATION_ID + " / " + Perimeter.ENV_ACCOUNT_IDS);
        }
    }

    /** Null when allowed, else why not. */
    private String accountVerdict(String accountId) {
        if (perimeter.accountIds().contains(accountId)) {
            return null;
        }
        if (perimeter.organizationId() == null) {
            return "not an allowed account";
        }
        try {
            organizations.describeAccount(r -> r.accountId(accountId));
        } catch (AwsServiceException e) {
            if ("AccountNotFoundException".equals(AwsErrors.code(e))) {
                return "not an allowed account and not a member of " + perimeter.organizationId();
            }
            throw AwsErrors.common("organizations:DescribeAccount", e);
        }
        if (perimeter.organizationalUnitIds().isEmpty()) {
            return null;
        }
        Set<String> ous = ancestors(accountId);
        return ous.stream().anyMatch(perimeter.organizationalUnitIds()::contains) ? null
                : "member of " + perimeter.organizationId() + " but under none of the allowed OUs "
                        + perimeter.organizationalUnitIds();
    }

    private String organizationVerdict(String organizationArn) {
        Matcher m = ORG_ARN.matcher(organizationArn);
        if (!m.matches() || !m.group(1).equals(perimeter.organizationId())) {
            return "not the perimeter's organization" + (perimeter.organizationId() == null ? ""
                    : " " + perimeter.organizationId());
        }
        return perimeter.organizationalUnitIds().isEmpty() ? null
                : "the whole organization is wider than the allowed OUs " + perimeter.organizationalUnitIds();
    }

    private String ouVerdict(String ouArn) {
        Matcher m = OU_ARN.matcher(ouArn);
        if (!m.matches() || !m.group(1).equals(perimeter.organizationId())) {
            return "not an OU of the perimeter's organization" + (perimeter.organizationId() == null ? ""
                    : " " + perimeter.organizationId());
        }
        if (perimeter.organizationalUnitIds().isEmpty() || perimeter.organizationalUnitIds().contains(m.group(2))) {
            return null;
        }
        Set<String> ous = ancestors(m.group(2));
        return ous.stream().anyMatch(perimeter.organizationalUnitIds()::contains) ? null
                : "not one of the allowed OUs " + perimeter.organizationalUnitIds() + " nor below one";
    }

    /** The OUs above an account or OU, up to the root. */
    private Set<String> ancestors(String childId) {
        Set<String> ous = new LinkedHashSet<>();
        String current = childId;
        // An organization is at most five OUs deep; the bound stops a malformed answer from looping.
        for (int depth = 0; depth < 8; depth++) {
            List<Parent> parents;
            String child = current;
            try {
                parents = organizations.listParents(r -> r.childId(child)).parents();
            } catch (AwsServiceException e) {
                throw AwsErrors.common("organizations:ListParents", e);
            }
            if (parents.isEmpty() || parents.get(0).type() == ParentType.ROOT) {
                break;
            }
            current = parents.get(0).id();
            ous.add(current);
        }
        return ous;
    }
}
