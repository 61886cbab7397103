package dev.amishare.functions.copy;

import dev.amishare.contract.Names;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.AwsErrors;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * The task tokens of the workflow executions waiting for a copy, keyed by (target account, region, image
 * id), in SSM Parameter Store of the owner account: {@code <prefix>/<account>/<region>/<imageId>}.
 * <p>
 * Why SSM: the owner stack has no table, a token is one small string (up to 1 KB, within a standard
 * parameter's 4 KB), lookups are by exact key, and a parameter lives only while a copy is awaited. The
 * token is stored as a SecureString under the owner stack's own customer-managed key
 * ({@value #ENV_KEY_ID}), not the account's {@code aws/ssm} key that anyone in the account may use through
 * SSM: whoever can read a token (and call SendTaskSuccess) could steer the workflow, so reading it takes
 * that key's kms:Decrypt, which only the copy functions' roles get. Beside the token the parameter keeps
 * which execution stored it and the consumer role to read the copy as ({@link Waiter}).
 */
public final class CopyTokenStore {

    /** The customer-managed key the tokens are encrypted under. */
    public static final String ENV_KEY_ID = "AMISHARE_COPY_TOKEN_KEY_ID";

    /**
     * What is stored for one awaited copy.
     *
     * @param taskToken the token of the waiting Await copy task
     * @param executionId the execution that stored it
     * @param roleName the consumer role to read the copy's state as
     */
    public record Waiter(String taskToken, String executionId, String roleName) {
    }

    private final SsmClient ssm;
    private final String prefix;
    private final String keyId;

    /** @param keyId the KMS key to encrypt the tokens under; null leaves SSM's default */
    public CopyTokenStore(SsmClient ssm, String prefix, String keyId) {
        this.ssm = ssm;
        this.prefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        this.keyId = keyId == null || keyId.isBlank() ? null : keyId;
    }

    /** The store as the owner stack configures it: prefix and key from the function's environment. */
    public static CopyTokenStore fromEnvironment(SsmClient ssm) {
        return new CopyTokenStore(ssm, prefixFromEnvironment(), System.getenv(ENV_KEY_ID));
    }

    /** The prefix from the environment, or {@link Names#COPY_TOKEN_PREFIX}. */
    public static String prefixFromEnvironment() {
        String value = System.getenv("AMISHARE_COPY_TOKEN_PREFIX");
        return value == null || value.isBlank() ? Names.COPY_TOKEN_PREFIX : value;
    }

    String name(String accountId, String region, String imageId) {
        return prefix + "/" + accountId + "/" + region + "/" + imageId;
    }

    /** Stores (or replaces: a re-check after a silent wait brings a new token) the token of a copy. */
    public void put(String accountId, String region, String imageId, Waiter waiter) {
        String value = Json.write(waiter);
        try {
            ssm.putParameter(r -> r.name(name(accountId, region, imageId)).value(value)
                    .type(ParameterType.SECURE_STRING).keyId(keyId).overwrite(true)
                    .description("amishare: task token of the execution awaiting this copy"));
        } catch (AwsServiceException e) {
            throw AwsErrors.common("ssm:PutParameter", e);
        }
    }

    /** The execution awaiting the copy, or empty when none waits for it (any more). */
    public Optional<Waiter> get(String accountId, String region, String imageId) {
        try {
            return Optional.of(Json.read(ssm.getParameter(r -> r.name(name(accountId, region, imageId))
                    .withDecryption(true)).parameter().value(), Waiter.class));
        } catch (ParameterNotFoundException e) {
            return Optional.empty();
        } catch (AwsServiceException e) {
            throw AwsErrors.common("ssm:GetParameter", e);
        }
    }

    /** Forgets the token; a token already gone is fine (the event and the re-check can both resume). */
    public void delete(String accountId, String region, String imageId) {
        try {
            ssm.deleteParameter(r -> r.name(name(accountId, region, imageId)));
        } catch (ParameterNotFoundException e) {
            // already deleted by the other resumer
        } catch (AwsServiceException e) {
            throw AwsErrors.common("ssm:DeleteParameter", e);
        }
    }
}
