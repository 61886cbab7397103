package dev.amishare.functions.copy;

import dev.amishare.contract.Names;
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
 * token is stored as a SecureString: whoever can read it (and call SendTaskSuccess) could steer the
 * workflow, so reading it takes kms:Decrypt as well as ssm:GetParameter on the prefix.
 */
public final class CopyTokenStore {

    private final SsmClient ssm;
    private final String prefix;

    public CopyTokenStore(SsmClient ssm, String prefix) {
        this.ssm = ssm;
        this.prefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
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
    public void put(String accountId, String region, String imageId, String token) {
        try {
            ssm.putParameter(r -> r.name(name(accountId, region, imageId)).value(token)
                    .type(ParameterType.SECURE_STRING).overwrite(true)
                    .description("amishare: task token of the execution awaiting this copy"));
        } catch (AwsServiceException e) {
            throw AwsErrors.common("ssm:PutParameter", e);
        }
    }

    /** The token awaiting the copy, or empty when no execution waits for it (any more). */
    public Optional<String> get(String accountId, String region, String imageId) {
        try {
            return Optional.of(ssm.getParameter(r -> r.name(name(accountId, region, imageId)).withDecryption(true))
                    .parameter().value());
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
