package dev.amishare.functions.copy;

import dev.amishare.functions.ledger.ShareLedger;
import dev.amishare.contract.Names;
import dev.amishare.functions.common.AwsErrors;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The task tokens of the workflow executions waiting for a copy, in the owner stack's share ledger
 * ({@value Names#ENV_LEDGER_TABLE}): one item per (copy, execution), {@code pk = COPY#<account>#<region>#<image
 * id>}, {@code sk = <execution id>}, with the token, the execution, the consumer role to read the copy as and
 * {@value Names#LEDGER_TTL_ATTRIBUTE}.
 * <p>
 * Why the ledger and not one SSM parameter per copy: several executions can await the same copy (a share of
 * the same AMI to the same target started twice), and each must be resumed; with one item per execution
 * none overwrites another's token. A re-check after a silent wait brings the same execution a new token,
 * which replaces that execution's item. The expiry is the workflow's whole wait for a copy
 * ({@value #ENV_WAIT_SECONDS}, the Await copy task's timeout) plus a margin, so that no token outlives its
 * item; the tokens of executions that failed or were stopped while waiting are swept by the table's
 * time-to-live, which lags by up to days, so readers also skip items whose expiry has passed. The table
 * has no 10,000-parameter quota per account and region.
 * <p>
 * Whoever reads a token (and may call SendTaskSuccess) could steer the workflow. The ledger's other
 * readers never see these items: IAM grants item actions on the table per partition-key prefix
 * ({@code dynamodb:LeadingKeys}), {@code COPY#*} only to the copy functions' role.
 */
public final class CopyTokenStore {

    private static final Logger LOG = LogManager.getLogger(CopyTokenStore.class);

    /** How long the workflow waits for a copy in all, in seconds: the Await copy task's timeout. */
    public static final String ENV_WAIT_SECONDS = Names.ENV_COPY_WAIT_SECONDS;

    /**
     * Beyond the wait: the item must outlive its token, whose clock (Step Functions') is not this
     * function's. Minutes of skew at most; an item that lingers longer only costs a skipped read.
     */
    static final Duration MARGIN = Duration.ofMinutes(15);

    static final String PK = Names.LEDGER_PARTITION_KEY;
    static final String SK = Names.LEDGER_SORT_KEY;
    static final String EXPIRES_AT = Names.LEDGER_TTL_ATTRIBUTE;
    static final String TASK_TOKEN = "taskToken";
    static final String EXECUTION_ID = "executionId";
    static final String ROLE_NAME = "roleName";

    /**
     * One execution waiting for a copy.
     *
     * @param taskToken the token of the waiting Await copy task
     * @param executionId the execution that stored it
     * @param roleName the consumer role to read the copy's state as
     */
    public record Waiter(String taskToken, String executionId, String roleName) {
    }

    private final DynamoDbClient ddb;
    private final String table;
    private final Duration wait;
    private final Clock clock;

    /**
     * @param wait how long an execution waits for a copy in all; null for a store that only resumes (it
     *     refuses to {@link #put})
     */
    public CopyTokenStore(DynamoDbClient ddb, String table, Duration wait, Clock clock) {
        this.ddb = Objects.requireNonNull(ddb, "ddb");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (table == null || table.isEmpty()) {
            throw new IllegalStateException(Names.ENV_LEDGER_TABLE + " is not set: the owner stack names its "
                    + "share ledger table there");
        }
        this.table = table;
        this.wait = wait;
    }

    public CopyTokenStore(DynamoDbClient ddb, String table, Duration wait) {
        this(ddb, table, wait, Clock.systemUTC());
    }

    /** The store as the owner stack configures it: the ledger table and the wait from the environment. */
    public static CopyTokenStore fromEnvironment(DynamoDbClient ddb) {
        String seconds = System.getenv(ENV_WAIT_SECONDS);
        Duration wait = seconds == null || seconds.isBlank() ? null : Duration.ofSeconds(Long.parseLong(seconds.trim()));
        return new CopyTokenStore(ddb, System.getenv(Names.ENV_LEDGER_TABLE), wait);
    }

    static String copyKey(String accountId, String region, String imageId) {
        return "COPY#" + accountId + "#" + region + "#" + imageId;
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    /**
     * Stores the execution's token for the copy, replacing the one it stored before (a re-check after a
     * silent wait brings a new token); other executions' tokens for the same copy stay.
     */
    public void put(String accountId, String region, String imageId, Waiter waiter) {
        if (wait == null) {
            throw new IllegalStateException(ENV_WAIT_SECONDS + " is not set: the owner stack sets the Await copy "
                    + "task's timeout there, which bounds how long a token is kept");
        }
        long expiresAt = clock.instant().plus(wait).plus(MARGIN).getEpochSecond();
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(PK, s(copyKey(accountId, region, imageId)));
        item.put(SK, s(Objects.requireNonNull(waiter.executionId(), "executionId")));
        item.put(TASK_TOKEN, s(waiter.taskToken()));
        item.put(EXECUTION_ID, s(waiter.executionId()));
        item.put(ROLE_NAME, s(waiter.roleName()));
        item.put(EXPIRES_AT, AttributeValue.fromN(Long.toString(expiresAt)));
        try {
            ddb.putItem(r -> r.tableName(table).item(item));
        } catch (AwsServiceException e) {
            throw AwsErrors.common("dynamodb:PutItem", e);
        } catch (SdkClientException e) {
            throw AwsErrors.noAnswer("dynamodb:PutItem", e);
        }
    }

    /**
     * Every execution awaiting the copy whose item has not expired, by execution id; empty when none waits
     * for it (any more). Strongly consistent: an event arriving right after Await copy stored its token must
     * see it.
     */
    public List<Waiter> get(String accountId, String region, String imageId) {
        long now = clock.instant().getEpochSecond();
        List<Waiter> waiters = new ArrayList<>();
        for (Map<String, AttributeValue> item : ShareLedger.partition(ddb, table, copyKey(accountId, region, imageId))) {
            String executionId = item.get(EXECUTION_ID).s();
            AttributeValue expiresAt = item.get(EXPIRES_AT);
            if (expiresAt != null && Long.parseLong(expiresAt.n()) < now) {
                // Its wait is over (failed, stopped or timed out); time to live has not removed it yet.
                LOG.info("skipping the expired token of execution {} for copy {} in {} of {} (expired {})",
                        executionId, imageId, region, accountId, Instant.ofEpochSecond(Long.parseLong(expiresAt.n())));
                continue;
            }
            waiters.add(new Waiter(item.get(TASK_TOKEN).s(), executionId, item.get(ROLE_NAME).s()));
        }
        return waiters;
    }

    /**
     * Forgets the execution's token; a token already gone is fine (the event and the re-check can both
     * resume). Only that execution's: another execution awaiting the same copy keeps its own.
     */
    public void delete(String accountId, String region, String imageId, String executionId) {
        try {
            ddb.deleteItem(r -> r.tableName(table)
                    .key(Map.of(PK, s(copyKey(accountId, region, imageId)), SK, s(executionId))));
        } catch (AwsServiceException e) {
            throw AwsErrors.common("dynamodb:DeleteItem", e);
        } catch (SdkClientException e) {
            throw AwsErrors.noAnswer("dynamodb:DeleteItem", e);
        }
    }
}
