package dev.amishare.functions.common;

import dev.amishare.contract.Perimeter;
import dev.amishare.errors.OrganizationalUnitNotFoundException;
import dev.amishare.errors.OutsidePerimeterException;
import dev.amishare.errors.PerimeterNotConfiguredException;
import dev.amishare.functions.model.Principals;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
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
 * <p>
 * One {@code DescribeAccount} per account does not scale: a share with 1,000 accounts would make 1,000
 * calls per function (more with OUs, {@code ListParents} up to the root), and Organizations throttles its
 * API hard. So once more than {@value #DESCRIBE_LIMIT} accounts need asking within a minute (in one check,
 * or over several, as per-target fan-out does) the guard lists the perimeter's membership instead: the
 * organization's accounts ({@code ListAccounts}), or with OUs each allowed OU's accounts and the OUs below
 * it ({@link OrganizationDirectory#subtree}), at 20 per page. That listing is kept for the same minute and
 * answers every account and OU check meanwhile. Any error while asking or listing refuses the whole check
 * (the error is thrown): the guard fails closed.
 */
public final class PerimeterGuard {

    private static final Logger LOG = LogManager.getLogger(PerimeterGuard.class);
    private static final Pattern ORG_ARN = Pattern.compile("arn:[^:]+:organizations::\\d{12}:organization/(o-[a-z0-9]+)");
    private static final Pattern OU_ARN =
            Pattern.compile("arn:[^:]+:organizations::\\d{12}:ou/(o-[a-z0-9]+)/(ou-[a-z0-9-]+)");

    /**
     * Above this many accounts to ask about within a minute, listing the membership is cheaper than
     * asking per account: one page of a listing holds 20 accounts.
     */
    static final int DESCRIBE_LIMIT = OrganizationDirectory.PAGE_SIZE;

    private final Perimeter perimeter;
    private final OrganizationsClient organizations;
    private final OrganizationDirectory directory;
    private final LongSupplier clock;
    private static final long REMEMBER_MILLIS = 60_000;

    /**
     * The perimeter's members as listed: account ids and (with OUs) the allowed OUs and every OU below
     * them, until {@code until}.
     */
    private record Membership(Set<String> accountIds, Set<String> organizationalUnitIds, long until) {
    }

    private Membership membership;
    /** DescribeAccount calls since {@code windowStart}: when they add up, listing is cheaper. */
    private int describes;
    private long windowStart;

    /** Why a principal is refused (null: allowed), and until when the answer holds. */
    private record Verdict(String reason, long until) {
    }

    private final Map<String, Verdict> verdicts = new HashMap<>();

    /**
     * @param organizations asks whether an account is a member, and its OUs; may be null when the
     *     perimeter names no organization
     */
    public PerimeterGuard(Perimeter perimeter, OrganizationsClient organizations) {
        this(perimeter, organizations, System::currentTimeMillis);
    }

    /** @param clock milliseconds, for how long answers are remembered */
    PerimeterGuard(Perimeter perimeter, OrganizationsClient organizations, LongSupplier clock) {
        this.perimeter = perimeter;
        this.organizations = organizations;
        this.directory = organizations == null ? null : new OrganizationDirectory(organizations);
        this.clock = clock;
    }

    /** A guard allowing exactly these accounts (no organization, no Organizations call). */
    public static PerimeterGuard allowing(String... accountIds) {
        return new PerimeterGuard(Perimeter.ofAccounts(accountIds), null);
    }

    public Perimeter perimeter() {
        return perimeter;
    }

    /**
     * Lists accounts through the same Organizations client as the checks (e.g. the accounts of an OU a
     * request copies to); null when the perimeter names no organization.
     */
    public OrganizationDirectory directory() {
        return directory;
    }

    /**
     * Refuses, with one error naming each, every principal outside the perimeter. Costs at most one
     * {@code DescribeAccount} per account up to {@value #DESCRIBE_LIMIT} accounts a minute, and one listing
     * of the perimeter (its pages, per allowed OU) a minute however many accounts are checked.
     */
    public void check(Principals principals) {
        if (principals.isEmpty()) {
            return;
        }
        requireConfigured();
        // One listing answers the whole check, even if it expires meanwhile; its answers are not
        // remembered one by one, they hold as long as the listing does.
        Membership listed = listIfCheaper(principals.accountIds());
        boolean remember = listed == null;
        List<String> refused = new ArrayList<>();
        principals.accountIds().forEach(a -> refusal(a, () -> accountVerdict(a, listed), remember, refused));
        principals.organizationArns().forEach(o -> refusal(o, () -> organizationVerdict(o), true, refused));
        principals.organizationalUnitArns().forEach(o -> refusal(o, () -> ouVerdict(o, listed), remember, refused));
        if (!refused.isEmpty()) {
            LOG.warn("refused {} principals outside the perimeter: {}", refused.size(), refused);
            throw new OutsidePerimeterException(refused);
        }
    }

    public void checkAccounts(Collection<String> accountIds) {
        check(Principals.ofAccounts(List.copyOf(new LinkedHashSet<>(accountIds))));
    }

    /**
     * Lists the perimeter's membership when asking per account would cost more than {@value #DESCRIBE_LIMIT}
     * calls in the current minute; a listing still valid is kept.
     *
     * @return the listing to answer from, or null to ask per account
     */
    private Membership listIfCheaper(List<String> accountIds) {
        long now = clock.getAsLong();
        if (membership != null && membership.until() < now) {
            membership = null;
        }
        if (perimeter.organizationId() == null || membership != null) {
            return membership;
        }
        if (now - windowStart >= REMEMBER_MILLIS) {
            windowStart = now;
            describes = 0;
            // A container checking many different accounts over its life keeps only current answers.
            verdicts.values().removeIf(v -> v.until() < now);
        }
        Set<String> toAsk = new HashSet<>();
        for (String a : accountIds) {
            Verdict known = verdicts.get(a);
            if (!perimeter.accountIds().contains(a) && (known == null || known.until() < now)) {
                toAsk.add(a);
            }
        }
        if (describes + toAsk.size() > DESCRIBE_LIMIT) {
            membership = listMembership(now);
        }
        return membership;
    }

    private Membership listMembership(long now) {
        String org = perimeter.organizationId();
        Set<String> accounts = new HashSet<>();
        Set<String> ous = new HashSet<>();
        if (perimeter.organizationalUnitIds().isEmpty()) {
            directory.members().stream().filter(m -> org.equals(m.organizationId()))
                    .forEach(m -> accounts.add(m.accountId()));
        } else {
            for (String allowed : perimeter.organizationalUnitIds()) {
                OrganizationDirectory.Subtree subtree;
                try {
                    subtree = directory.subtree(allowed);
                } catch (OrganizationalUnitNotFoundException e) {
                    // An allowed OU that was deleted has no members: what is under it now is refused, as
                    // ListParents would find it under none of the allowed OUs.
                    LOG.warn("allowed OU {} of the perimeter does not exist in {}", allowed, org);
                    continue;
                }
                ous.addAll(subtree.organizationalUnitIds());
                subtree.accounts().stream().filter(m -> org.equals(m.organizationId()))
                        .forEach(m -> accounts.add(m.accountId()));
            }
        }
        LOG.info("listed the perimeter's membership: {} accounts, {} OUs", accounts.size(), ous.size());
        return new Membership(accounts, ous, now + REMEMBER_MILLIS);
    }

    private void refusal(String principal, Supplier<String> verdict, boolean remember, List<String> refused) {
        long now = clock.getAsLong();
        Verdict known = remember ? verdicts.get(principal) : null;
        if (known == null || known.until() < now) {
            known = new Verdict(verdict.get(), now + REMEMBER_MILLIS);
            if (remember) {
                verdicts.put(principal, known);
            }
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
    private String accountVerdict(String accountId, Membership listed) {
        if (perimeter.accountIds().contains(accountId)) {
            return null;
        }
        if (perimeter.organizationId() == null) {
            return "not an allowed account";
        }
        if (listed != null) {
            return listed.accountIds().contains(accountId) ? null : perimeter.organizationalUnitIds().isEmpty()
                    ? "not an allowed account and not a member of " + perimeter.organizationId()
                    : "not an allowed account and not a member of " + perimeter.organizationId()
                            + " under one of the allowed OUs " + perimeter.organizationalUnitIds();
        }
        describes++;
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

    private String ouVerdict(String ouArn, Membership listed) {
        Matcher m = OU_ARN.matcher(ouArn);
        if (!m.matches() || !m.group(1).equals(perimeter.organizationId())) {
            return "not an OU of the perimeter's organization" + (perimeter.organizationId() == null ? ""
                    : " " + perimeter.organizationId());
        }
        if (perimeter.organizationalUnitIds().isEmpty() || perimeter.organizationalUnitIds().contains(m.group(2))) {
            return null;
        }
        if (listed != null) {
            return listed.organizationalUnitIds().contains(m.group(2)) ? null
                    : "not one of the allowed OUs " + perimeter.organizationalUnitIds() + " nor below one";
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
