package dev.amishare.contract;

/**
 * The names more than one module relies on: tags, role names, prefixes. Defined here once so the
 * functions, the stacks and the tests cannot drift apart.
 */
public final class Names {

    /**
     * On KMS keys, AMIs and their snapshots: amishare may edit the key policy and the image and snapshot
     * permissions only of resources carrying {@code amishare:managed = true} (aws:ResourceTag conditions).
     */
    public static final String TAG_MANAGED = "amishare:managed";
    public static final String TAG_MANAGED_VALUE = "true";

    /** On AMIs: the accounts to share with, comma-separated. Changing it starts a share. */
    public static final String TAG_TARGETS = "amishare:targets";

    /** On AMIs: {@code true} shares the AMI with every account Control Tower or Organizations creates. */
    public static final String TAG_SHARE_WITH_NEW_ACCOUNTS = "amishare:share-with-new-accounts";
    public static final String TAG_SHARE_WITH_NEW_ACCOUNTS_VALUE = "true";

    /** On copies: the image and the account they were copied from. */
    public static final String TAG_SOURCE_IMAGE = "amishare:source-image";
    public static final String TAG_SOURCE_ACCOUNT = "amishare:source-account";
    /** On copies: the CopyImage client token, so that a replay finds the copy it made. */
    public static final String TAG_COPY_TOKEN = "amishare:copy-token";

    /**
     * The only tags a copy gets (its source's own tags are not copied): the consumer role may create no
     * other tag key.
     */
    public static final java.util.List<String> COPY_TAG_KEYS =
            java.util.List.of(TAG_SOURCE_IMAGE, TAG_SOURCE_ACCOUNT, TAG_COPY_TOKEN);

    /** The role the consumer stacks create in each target account, unless a request names another. */
    public static final String DEFAULT_CONSUMER_ROLE = "AmiShareConsumer";

    /** The owner-side role the consumer stacks trust by ARN: a fixed name keeps that ARN predictable. */
    public static final String CONSUMER_ACCESS_ROLE = "amishare-consumer-access";

    /**
     * AwaitCopy's own role, the second owner-side principal the consumer stacks trust: it also reads the
     * copy's state as the consumer role, but alone keeps and answers task tokens. Fixed name, as above.
     */
    public static final String COPY_WAITER_ROLE = "amishare-copy-waiter";

    /**
     * Where the owner keeps named target groups for the targets tag ({@code group:<name>} in the tag):
     * parameter {@code <prefix>/<name>}, a StringList of account ids and organization ({@code o-…}) or OU
     * ({@code ou-…}) ids, so IAM grants {@code <prefix>/*}.
     */
    public static final String TARGET_GROUP_PREFIX = "/amishare/target-groups";

    /** The owner account's event bus the consumer stacks forward their copies' AMI events to. */
    public static final String COPY_EVENT_BUS = "amishare-copy-events";

    /** The external id the consumer roles' trust policies require: deploy-time configuration of both stacks. */
    public static final String ENV_EXTERNAL_ID = "AMISHARE_EXTERNAL_ID";

    /** The account the owner stack runs in: tag changes are taken from it only. */
    public static final String ENV_OWNER_ACCOUNT_ID = "AMISHARE_OWNER_ACCOUNT_ID";

    /** The organization's management account: account-vending events are taken from it only. */
    public static final String ENV_MANAGEMENT_ACCOUNT_ID = "AMISHARE_MANAGEMENT_ACCOUNT_ID";

    private Names() {
    }

    /** Environment variable naming the owner stack's bucket of share data: target lists, results, reports. */
    public static final String ENV_SHARE_BUCKET = "AMISHARE_SHARE_BUCKET";

    /**
     * Environment variable naming the owner stack's share ledger, a DynamoDB table: one lease item per key
     * policy being edited, and one item per key grant (key, principal, image) that revokes count.
     */
    public static final String ENV_LEDGER_TABLE = "AMISHARE_LEDGER_TABLE";

    /**
     * The ledger's partition key (a string: {@code LEASE#<key ARN>}, {@code KEY#<key ARN>},
     * {@code COPY#<account>#<region>#<image id>}).
     */
    public static final String LEDGER_PARTITION_KEY = "pk";

    /** The ledger's sort key (a string). */
    public static final String LEDGER_SORT_KEY = "sk";

    /**
     * The ledger's time-to-live attribute (epoch seconds): DynamoDB deletes expired leases by itself, within
     * days; an expired lease is free as soon as it has expired, whether or not it is gone yet.
     */
    public static final String LEDGER_TTL_ATTRIBUTE = "expiresAt";

    /**
     * How long a key-policy lease lasts, in seconds. Longer than the timeout of any function that takes one
     * (each lease is taken and released inside one invocation), so a lease can only expire under a holder
     * that is no longer running: two writers never edit one key policy at the same time.
     */
    public static final int LEDGER_LEASE_SECONDS = 75;

    /**
     * Environment variable of AwaitCopy: how long the workflow waits for a copy in all, in seconds (the Await
     * copy task's timeout), which bounds how long the ledger keeps a copy's task token.
     */
    public static final String ENV_COPY_WAIT_SECONDS = "AMISHARE_COPY_WAIT_SECONDS";

    /** Every execution keeps its objects under {@code shares/<execution name>/}. */
    public static final String SHARE_DATA_PREFIX = "shares/";

    /** Where Distributed Maps write their results ({@code <prefix>/<map run id>/manifest.json}). */
    public static final String MAP_RESULTS_PREFIX = "map-runs";
}
