package dev.amishare.functions.entry;

import dev.amishare.contract.Names;
import dev.amishare.contract.Perimeter;
import dev.amishare.errors.TargetGroupNotFoundException;
import dev.amishare.errors.UnresolvableTargetException;
import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.AwsErrors;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

/**
 * What the {@value Names#TAG_TARGETS} tag names, comma-separated, as share principals:
 * <ul>
 * <li>an account id: that account;</li>
 * <li>{@code o-…}: the organization, shared with by its ARN;</li>
 * <li>{@code ou-…}: the OU, by its ARN, which names its organization: the perimeter's (an OU outside it
 * would be refused anyway);</li>
 * <li>{@code group:<name>}: a target group the owner keeps in Parameter Store, parameter
 * {@value Names#TARGET_GROUP_PREFIX}{@code /<name>}, a StringList of any of the above (groups too).</li>
 * </ul>
 * A tag value holds at most 256 characters, 19 account ids; a group holds as many as its parameter does
 * (4 KB standard, 8 KB advanced: about 600 account ids), more through OUs or groups of groups.
 * Organization and OU ARNs carry the organization's management account
 * ({@code arn:aws:organizations::<management account>:ou/o-…/ou-…}), which comes from the deployment
 * ({@value Names#ENV_MANAGEMENT_ACCOUNT_ID}). Anything else is passed on as an account id: the workflow's
 * prepare stage reports every malformed target at once, and checks them all against the perimeter.
 */
public final class TagTargets {

    public static final String GROUP_PREFIX = "group:";
    /** Groups read for one tag at most: a bound on the calls a tag can cause, whatever its groups name. */
    static final int MAX_GROUPS = 20;

    // Parameter name characters, without "/": a group name cannot climb out of the target-group path.
    private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    private static final Pattern GROUP_SEPARATORS = Pattern.compile("[,\\s]+");

    private final Supplier<SsmClient> ssmFactory;
    private final String organizationId;
    private final String managementAccountId;
    private SsmClient ssm;

    /**
     * @param ssm reads target groups; called once, at the first group (null: groups cannot be read)
     * @param organizationId the perimeter's organization, for OU ARNs; null when it has none
     * @param managementAccountId the organization's management account, for organization and OU ARNs
     */
    public TagTargets(Supplier<SsmClient> ssm, String organizationId, String managementAccountId) {
        this.ssmFactory = ssm;
        this.organizationId = organizationId;
        this.managementAccountId = managementAccountId == null || managementAccountId.isBlank() ? null
                : managementAccountId;
    }

    /** As deployed: the perimeter and the management account from the function's environment. */
    public static TagTargets fromEnvironment() {
        // Built at the first group only: most tags name accounts, and a client costs cold-start time.
        return new TagTargets(AwsClients::ssm, Perimeter.fromEnvironment(System::getenv).organizationId(),
                System.getenv(Names.ENV_MANAGEMENT_ACCOUNT_ID));
    }

    /** Only account ids: organizations, OUs and groups are refused. */
    public static TagTargets accountsOnly() {
        return new TagTargets(null, null, null);
    }

    /**
     * Whom a tag value names, each once, in tag order (a group's entries where the group is).
     *
     * @param partition of the tagged image's ARN, for the organization and OU ARNs
     */
    public Resolved resolve(String tagValue, String partition) {
        Set<String> accounts = new LinkedHashSet<>();
        Set<String> organizations = new LinkedHashSet<>();
        Set<String> units = new LinkedHashSet<>();
        Set<String> groupsRead = new LinkedHashSet<>();
        Deque<String> pending = new ArrayDeque<>(split(tagValue, ","));
        while (!pending.isEmpty()) {
            String value = pending.removeFirst();
            if (value.startsWith(GROUP_PREFIX)) {
                String group = value.substring(GROUP_PREFIX.length());
                // A group named twice, or by itself through another, is read once.
                if (groupsRead.add(group)) {
                    if (groupsRead.size() > MAX_GROUPS) {
                        throw new UnresolvableTargetException(value, "the tag's groups name more than "
                                + MAX_GROUPS + " groups in all");
                    }
                    List<String> members = split(read(group), GROUP_SEPARATORS.pattern());
                    // Where the group is in the tag, its members are: tag order stays meaningful.
                    for (int i = members.size() - 1; i >= 0; i--) {
                        pending.addFirst(members.get(i));
                    }
                }
            } else if (value.startsWith("ou-")) {
                if (organizationId == null) {
                    throw new UnresolvableTargetException(value, "an OU's ARN names its organization, and the "
                            + "sharing perimeter names none");
                }
                units.add(organizationsArn(value, partition, "ou/" + organizationId + "/" + value));
            } else if (value.startsWith("o-")) {
                organizations.add(organizationsArn(value, partition, "organization/" + value));
            } else {
                accounts.add(value);
            }
        }
        return new Resolved(List.copyOf(accounts), List.copyOf(organizations), List.copyOf(units));
    }

    private String organizationsArn(String value, String partition, String resource) {
        if (managementAccountId == null) {
            throw new UnresolvableTargetException(value, "organization and OU ARNs name the organization's "
                    + "management account, and the deployment names none (" + Names.ENV_MANAGEMENT_ACCOUNT_ID + ")");
        }
        return "arn:" + partition + ":organizations::" + managementAccountId + ":" + resource;
    }

    private String read(String group) {
        if (!GROUP_NAME.matcher(group).matches()) {
            throw new UnresolvableTargetException(GROUP_PREFIX + group,
                    "a group name is 1 to 128 letters, digits, '_', '.' or '-'");
        }
        if (ssmFactory == null) {
            throw new UnresolvableTargetException(GROUP_PREFIX + group, "target groups are not available here");
        }
        if (ssm == null) {
            ssm = ssmFactory.get();
        }
        String name = Names.TARGET_GROUP_PREFIX + "/" + group;
        try {
            return ssm.getParameter(r -> r.name(name)).parameter().value();
        } catch (ParameterNotFoundException e) {
            throw new TargetGroupNotFoundException(group, name);
        } catch (AwsServiceException e) {
            if ("ParameterNotFound".equals(AwsErrors.code(e))) {
                throw new TargetGroupNotFoundException(group, name);
            }
            throw AwsErrors.common("ssm:GetParameter", e);
        }
    }

    private static List<String> split(String value, String separators) {
        return value == null ? List.of()
                : Arrays.stream(value.split(separators)).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * The principals a tag names.
     *
     * @param accountIds account ids as written (unchecked: Prepare checks them)
     * @param organizationArns organizations, by ARN
     * @param organizationalUnitArns OUs, by ARN
     */
    public record Resolved(List<String> accountIds, List<String> organizationArns,
            List<String> organizationalUnitArns) {

        public boolean isEmpty() {
            return accountIds.isEmpty() && organizationArns.isEmpty() && organizationalUnitArns.isEmpty();
        }
    }
}
