package dev.amishare.functions.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amishare.errors.AmishareException;
import dev.amishare.errors.AwsAccessDeniedException;
import dev.amishare.errors.AwsNotYetVisibleException;
import dev.amishare.errors.AwsQuotaExceededException;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.AwsUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

class AwsErrorsTest {

    /** How {@link AwsErrors#common} classes an error: an amishare failure, or the SDK's exception itself. */
    private enum Classed {
        THROTTLED, UNAVAILABLE, QUOTA, ACCESS_DENIED, PASSED
    }

    /**
     * Every error code the handlers can meet, per API they call: the AWS common errors and each action's own
     * (API references, "Errors" of each action, EC2 "errors-overview", "CommonErrors"), with its HTTP status.
     * PASSED means "returned as it is": the call site checks its own codes (not found, already exists,
     * malformed policy), and anything else fails the stage with the SDK's type, which nothing retries.
     */
    private static final String TABLE = """
            # AWS common errors (every API)
            *                                 AccessDeniedException               400 ACCESS_DENIED
            *                                 IncompleteSignature                 400 PASSED
            *                                 InternalFailure                     500 UNAVAILABLE
            *                                 InvalidAction                       400 PASSED
            *                                 InvalidClientTokenId                403 PASSED
            *                                 MissingAuthenticationToken          403 PASSED
            *                                 NotAuthorized                       400 PASSED
            *                                 OptInRequired                       403 PASSED
            *                                 RequestExpired                      400 PASSED
            *                                 ServiceUnavailable                  503 UNAVAILABLE
            *                                 SignatureDoesNotMatch               403 PASSED
            *                                 ThrottlingException                 400 THROTTLED
            *                                 ValidationError                     400 PASSED
            # EC2 common errors (DescribeImages, DescribeSnapshots, ModifyImageAttribute, ModifySnapshotAttribute,
            # DescribeSnapshotAttribute, CopyImage, CreateTags)
            ec2:*                             AuthFailure                         401 PASSED
            ec2:*                             Blocked                             403 PASSED
            ec2:*                             DryRunOperation                     412 PASSED
            ec2:*                             IdempotentParameterMismatch         400 PASSED
            ec2:*                             InvalidParameter                    400 PASSED
            ec2:*                             InvalidParameterCombination         400 PASSED
            ec2:*                             InvalidParameterValue               400 PASSED
            ec2:*                             MissingParameter                    400 PASSED
            ec2:*                             UnknownParameter                    400 PASSED
            ec2:*                             PendingVerification                 400 PASSED
            ec2:*                             UnauthorizedOperation               403 ACCESS_DENIED
            ec2:*                             RequestLimitExceeded                503 THROTTLED
            ec2:*                             Client.RequestLimitExceeded         503 THROTTLED
            ec2:*                             InternalError                       500 UNAVAILABLE
            ec2:*                             Unavailable                         503 UNAVAILABLE
            ec2:DescribeImages                InvalidAMIID.NotFound               400 PASSED
            ec2:DescribeImages                InvalidAMIID.Malformed              400 PASSED
            ec2:DescribeImages                InvalidAMIID.Unavailable            400 PASSED
            ec2:DescribeImages                InvalidUserID.Malformed             400 PASSED
            ec2:ModifyImageAttribute          InvalidAMIAttributeItemValue        400 PASSED
            ec2:ModifyImageAttribute          OperationNotPermitted               400 PASSED
            ec2:ModifySnapshotAttribute       InvalidSnapshot.NotFound            400 PASSED
            ec2:ModifySnapshotAttribute       InvalidSnapshotID.Malformed         400 PASSED
            ec2:DescribeSnapshots             InvalidSnapshot.NotFound            400 PASSED
            ec2:CopyImage                     ResourceLimitExceeded               400 QUOTA
            ec2:CopyImage                     IncorrectState                      400 PASSED
            ec2:CopyImage                     InvalidRequest                      400 PASSED
            ec2:CreateTags                    TagLimitExceeded                    400 QUOTA
            ec2:CreateTags                    InvalidID                           400 PASSED
            # KMS (GetKeyPolicy, PutKeyPolicy, DescribeKey)
            kms:*                             DependencyTimeoutException          503 UNAVAILABLE
            kms:*                             KMSInternalException                500 UNAVAILABLE
            kms:*                             InvalidArnException                 400 PASSED
            kms:*                             NotFoundException                   400 PASSED
            kms:*                             KMSInvalidStateException            400 PASSED
            kms:PutKeyPolicy                  LimitExceededException              400 QUOTA
            kms:PutKeyPolicy                  MalformedPolicyDocumentException    400 PASSED
            kms:PutKeyPolicy                  UnsupportedOperationException       400 PASSED
            # STS (AssumeRole, GetCallerIdentity)
            sts:*                             AccessDenied                        403 ACCESS_DENIED
            sts:*                             Throttling                          400 THROTTLED
            sts:*                             ExpiredTokenException               400 PASSED
            sts:AssumeRole                    MalformedPolicyDocument             400 PASSED
            sts:AssumeRole                    PackedPolicyTooLarge                400 PASSED
            sts:AssumeRole                    RegionDisabledException             403 PASSED
            # IAM SimulatePrincipalPolicy
            iam:SimulatePrincipalPolicy       AccessDenied                        403 ACCESS_DENIED
            iam:SimulatePrincipalPolicy       Throttling                          400 THROTTLED
            iam:SimulatePrincipalPolicy       InvalidInput                        400 PASSED
            iam:SimulatePrincipalPolicy       NoSuchEntity                        404 PASSED
            iam:SimulatePrincipalPolicy       PolicyEvaluation                    500 UNAVAILABLE
            iam:SimulatePrincipalPolicy       ServiceFailure                      500 UNAVAILABLE
            # SSM (GetParameter, PutParameter, DeleteParameter)
            ssm:*                             InternalServerError                 500 UNAVAILABLE
            ssm:GetParameter                  ParameterNotFound                   400 PASSED
            ssm:GetParameter                  ParameterVersionNotFound            400 PASSED
            ssm:GetParameter                  InvalidKeyId                        400 PASSED
            ssm:PutParameter                  TooManyUpdates                      400 THROTTLED
            ssm:PutParameter                  ParameterLimitExceeded              400 QUOTA
            ssm:PutParameter                  ParameterMaxVersionLimitExceeded    400 QUOTA
            ssm:PutParameter                  PoliciesLimitExceededException      400 QUOTA
            ssm:PutParameter                  HierarchyLevelLimitExceededException 400 QUOTA
            ssm:PutParameter                  HierarchyTypeMismatchException      400 PASSED
            ssm:PutParameter                  ParameterAlreadyExists              400 PASSED
            ssm:PutParameter                  ParameterPatternMismatchException   400 PASSED
            ssm:PutParameter                  InvalidAllowedPatternException      400 PASSED
            ssm:PutParameter                  UnsupportedParameterType            400 PASSED
            ssm:DeleteParameter               ParameterNotFound                   400 PASSED
            # Step Functions (SendTaskSuccess, SendTaskFailure, StartExecution)
            states:SendTask*                  TaskDoesNotExist                    400 PASSED
            states:SendTask*                  TaskTimedOut                        400 PASSED
            states:SendTask*                  InvalidToken                        400 PASSED
            states:SendTask*                  InvalidOutput                       400 PASSED
            states:*                          KmsAccessDeniedException            400 ACCESS_DENIED
            states:*                          KmsInvalidStateException            400 PASSED
            states:*                          KmsThrottlingException              400 THROTTLED
            states:StartExecution             ExecutionAlreadyExists              400 PASSED
            states:StartExecution             ExecutionLimitExceeded              400 QUOTA
            states:StartExecution             InvalidArn                          400 PASSED
            states:StartExecution             InvalidExecutionInput               400 PASSED
            states:StartExecution             InvalidName                         400 PASSED
            states:StartExecution             StateMachineDeleting                400 PASSED
            states:StartExecution             StateMachineDoesNotExist            400 PASSED
            states:StartExecution             ValidationException                 400 PASSED
            # Organizations (DescribeAccount, ListParents, ListChildren, ListAccountsForParent)
            organizations:*                   AccessDeniedException               400 ACCESS_DENIED
            organizations:*                   AWSOrganizationsNotInUseException   400 PASSED
            organizations:*                   InvalidInputException               400 PASSED
            organizations:*                   ServiceException                    500 UNAVAILABLE
            organizations:*                   TooManyRequestsException            400 THROTTLED
            organizations:DescribeAccount     AccountNotFoundException            400 PASSED
            organizations:ListParents         ChildNotFoundException              400 PASSED
            organizations:ListChildren        ParentNotFoundException             400 PASSED
            # S3 (GetObject, PutObject)
            s3:*                              AccessDenied                        403 ACCESS_DENIED
            s3:*                              SlowDown                            503 THROTTLED
            s3:*                              InternalError                       500 UNAVAILABLE
            s3:*                              ServiceUnavailable                  503 UNAVAILABLE
            s3:*                              RequestTimeout                      400 UNAVAILABLE
            s3:*                              NoSuchBucket                        404 PASSED
            s3:*                              ExpiredToken                        400 PASSED
            s3:GetObject                      NoSuchKey                           404 PASSED
            s3:GetObject                      InvalidObjectState                  403 PASSED
            s3:PutObject                      InvalidRequest                      400 PASSED
            s3:PutObject                      EncryptionTypeMismatch              400 PASSED
            s3:PutObject                      PreconditionFailed                  412 PASSED
            # Codes not listed: the HTTP status decides
            *                                 SomeFutureServerError               502 UNAVAILABLE
            *                                 SomeFutureThrottle                  429 THROTTLED
            *                                 SomeFutureClientError               400 PASSED
            """;

    private static AwsServiceException error(String code, int status) {
        return AwsServiceException.builder()
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("stubbed " + code).build())
                .statusCode(status)
                .build();
    }

    private static Classed classed(AwsServiceException e, RuntimeException mapped) {
        if (mapped == e) {
            return Classed.PASSED;
        }
        if (mapped instanceof AwsThrottledException) {
            return Classed.THROTTLED;
        }
        if (mapped instanceof AwsUnavailableException) {
            return Classed.UNAVAILABLE;
        }
        if (mapped instanceof AwsQuotaExceededException) {
            return Classed.QUOTA;
        }
        if (mapped instanceof AwsAccessDeniedException) {
            return Classed.ACCESS_DENIED;
        }
        throw new AssertionError("unexpected mapping of " + AwsErrors.code(e) + ": " + mapped);
    }

    @Test
    void common_shouldClassEveryCodeTheHandlersMeet_whenAnApiFails() {
        // GIVEN every (API, code, status) of the table
        Map<String, Classed> expected = new LinkedHashMap<>();
        Map<String, Classed> actual = new LinkedHashMap<>();
        for (String line : TABLE.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()) {
            String[] f = line.split("\\s+");
            String key = f[0] + " " + f[1] + " " + f[2];
            AwsServiceException e = error(f[1], Integer.parseInt(f[2]));

            // WHEN
            RuntimeException mapped = AwsErrors.common(f[0], e);

            expected.put(key, Classed.valueOf(f[3]));
            actual.put(key, classed(e, mapped));
        }

        // THEN each is classed as the table says, and the table is not trivially short
        assertThat(actual).hasSizeGreaterThan(100).containsExactlyEntriesOf(expected);
    }

    @Test
    void common_shouldClassKmsLimitExceededAsATerminalQuota_whenPutKeyPolicyMeetsIt() {
        // GIVEN KMS's quota error, which the SDK's newer retry behaviour would count as throttling
        AwsServiceException e = error("LimitExceededException", 400);

        // WHEN
        RuntimeException mapped = AwsErrors.common("kms:PutKeyPolicy", e);

        // THEN it is not retried and says which quota and action
        assertThat(mapped).isInstanceOf(AwsQuotaExceededException.class).hasCause(e)
                .hasMessageContaining("kms:PutKeyPolicy").hasMessageContaining("KMS")
                .hasMessageContaining("Service Quotas");
        assertThat(((AwsQuotaExceededException) mapped).quota()).contains("key policy");
        assertThat(((AmishareException) mapped).isRetryable()).isFalse();
    }

    @Test
    void common_shouldMakeTransientFailuresRetryable_whenThrottledOrUnavailable() {
        // GIVEN
        List<RuntimeException> mapped = List.of(
                AwsErrors.common("ec2:CopyImage", error("RequestLimitExceeded", 503)),
                AwsErrors.common("kms:DescribeKey", error("KMSInternalException", 500)));

        // THEN
        assertThat(mapped).allSatisfy(m -> assertThat(((AmishareException) m).isRetryable()).isTrue());
        assertThat(mapped.get(1)).hasMessageContaining("kms:DescribeKey");
    }

    @Test
    void noAnswer_shouldBeUnavailable_whenTheCallGotNoResponse() {
        // GIVEN a connection that failed and a call that timed out
        SdkClientException refused = SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new IOException("Connection refused")).build();
        SdkClientException reset = SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new UncheckedIOException(new IOException("Connection reset"))).build();
        ApiCallTimeoutException timeout = ApiCallTimeoutException.create(Duration.ofSeconds(30).toMillis());

        // WHEN / THEN
        assertThat(AwsErrors.noAnswer("an AWS call", refused)).isInstanceOf(AwsUnavailableException.class)
                .hasCause(refused).hasMessageContaining("Connection refused");
        assertThat(AwsErrors.noAnswer("an AWS call", reset)).isInstanceOf(AwsUnavailableException.class);
        assertThat(AwsErrors.noAnswer("an AWS call", timeout)).isInstanceOf(AwsUnavailableException.class);
    }

    @Test
    void noAnswer_shouldPassTheErrorThrough_whenTheSdkCouldNotBuildTheCall() {
        // GIVEN a client-side failure that recurs on every attempt
        SdkClientException noCredentials = SdkClientException.create("Unable to load credentials from any provider");

        // WHEN / THEN
        assertThat(AwsErrors.noAnswer("an AWS call", noCredentials)).isSameAs(noCredentials);
    }

    @Test
    void notYetVisible_shouldBeRetryable_whenAJustCreatedImageIsNotListed() {
        // GIVEN DescribeImages right after CopyImage
        AwsServiceException e = error("InvalidAMIID.NotFound", 400);

        // WHEN
        RuntimeException mapped = AwsErrors.notYetVisible("ec2:DescribeImages", "copy ami-1", e);

        // THEN
        assertThat(mapped).isInstanceOf(AwsNotYetVisibleException.class).hasCause(e)
                .hasMessageContaining("copy ami-1").hasMessageContaining("ec2:DescribeImages");
        assertThat(((AmishareException) mapped).isRetryable()).isTrue();
        // Anywhere else the same code stays the caller's to handle.
        assertThat(AwsErrors.common("ec2:DescribeImages", e)).isSameAs(e);
    }

    @Test
    void notYetVisible_shouldMapLikeCommon_whenTheErrorIsNotANotFound() {
        // GIVEN
        AwsServiceException malformed = error("InvalidAMIID.Malformed", 400);
        AwsServiceException throttled = error("RequestLimitExceeded", 503);

        // WHEN / THEN
        assertThat(AwsErrors.notYetVisible("ec2:DescribeImages", "copy ami-1", malformed)).isSameAs(malformed);
        assertThat(AwsErrors.notYetVisible("ec2:DescribeImages", "copy ami-1", throttled))
                .isInstanceOf(AwsThrottledException.class);
    }
}
