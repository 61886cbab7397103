package dev.amishare.infra;

import java.util.List;
import java.util.Map;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.services.apigateway.AccessLogFormat;
import software.amazon.awscdk.services.apigateway.AuthorizationType;
import software.amazon.awscdk.services.apigateway.CfnModel;
import software.amazon.awscdk.services.apigateway.EndpointType;
import software.amazon.awscdk.services.apigateway.IModel;
import software.amazon.awscdk.services.apigateway.LambdaIntegration;
import software.amazon.awscdk.services.apigateway.LogGroupLogDestination;
import software.amazon.awscdk.services.apigateway.MethodLoggingLevel;
import software.amazon.awscdk.services.apigateway.MethodOptions;
import software.amazon.awscdk.services.apigateway.Model;
import software.amazon.awscdk.services.apigateway.RequestValidator;
import software.amazon.awscdk.services.apigateway.Resource;
import software.amazon.awscdk.services.apigateway.RestApi;
import software.amazon.awscdk.services.apigateway.StageOptions;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * REST API in front of the workflow: POST /shares (validated against the share-request schema in API
 * Gateway), GET /shares, GET and DELETE /shares/{id}, GET /images/{imageId}/access, each a Lambda proxy
 * integration of the ShareApi function (ShareApiService). IAM authorization: callers sign with SigV4 and need
 * execute-api:Invoke; the function names the signed caller as the share's requestedBy.
 */
public final class ShareApi extends Construct {

    /** Requests per second, and the burst above it, each method of the API accepts. */
    static final int RATE_LIMIT = 10;
    static final int BURST_LIMIT = 20;

    private final RestApi api;

    public ShareApi(Construct scope, String id, IFunction handler, Map<String, Object> schema) {
        super(scope, id);

        LogGroup accessLogs = LogGroup.Builder.create(this, "AccessLogs").retention(RetentionDays.ONE_MONTH).build();
        api = RestApi.Builder.create(this, "Api")
                .restApiName("amishare")
                .description("amishare: start, list, read and unshare shares; report an image's access")
                .endpointTypes(List.of(EndpointType.REGIONAL))
                .cloudWatchRole(true)
                .deployOptions(StageOptions.builder()
                        .stageName("v1")
                        // Every share hands out access: a runaway client must not start thousands. The limits
                        // apply to each method of the stage (API Gateway's per-method throttling).
                        .throttlingRateLimit(RATE_LIMIT)
                        .throttlingBurstLimit(BURST_LIMIT)
                        .tracingEnabled(true)
                        .loggingLevel(MethodLoggingLevel.INFO)
                        .accessLogDestination(new LogGroupLogDestination(accessLogs))
                        .accessLogFormat(AccessLogFormat.jsonWithStandardFields())
                        .build())
                .defaultMethodOptions(MethodOptions.builder().authorizationType(AuthorizationType.IAM).build())
                .build();

        // The model is the functions' schema file itself, so API Gateway and the prepare stage cannot drift.
        CfnModel cfnModel = CfnModel.Builder.create(this, "ShareRequestModel")
                .restApiId(api.getRestApiId())
                .contentType("application/json")
                .name("ShareRequest")
                .description("The share request (share-request.schema.json, JSON Schema draft-04)")
                .schema(schema)
                .build();
        IModel model = Model.fromModelName(this, "ShareRequestModelRef", cfnModel.getRef());
        RequestValidator bodyValidator = RequestValidator.Builder.create(this, "BodyValidator")
                .restApi(api)
                .requestValidatorName("share-request")
                .validateRequestBody(true)
                .validateRequestParameters(true)
                .build();

        // Every route goes to one function (ShareApiService picks the route by resource and method): what
        // API Gateway alone cannot do needs code anyway (idempotency keys, the ledger, unshares), and one
        // function keeps one warm container for all of them. The test-invoke permissions are left out: the
        // console's test button bypasses IAM authorization.
        LambdaIntegration integration = LambdaIntegration.Builder.create(handler).proxy(true)
                .allowTestInvoke(false).build();

        Resource shares = api.getRoot().addResource("shares");
        // The body is validated against the model before the function runs: the model refuses a body that
        // names requestedBy, which the function sets from the caller's IAM identity.
        shares.addMethod("POST", integration, MethodOptions.builder()
                .requestValidator(bodyValidator)
                .requestModels(Map.of("application/json", model))
                .requestParameters(Map.of("method.request.header.Idempotency-Key", false))
                .build());
        shares.addMethod("GET", integration, MethodOptions.builder()
                .requestParameters(Map.of("method.request.querystring.limit", false,
                        "method.request.querystring.next", false))
                .build());
        Resource share = shares.addResource("{id}");
        share.addMethod("GET", integration);
        share.addMethod("DELETE", integration, MethodOptions.builder()
                .requestParameters(Map.of("method.request.querystring.deregisterCopies", false))
                .build());
        api.getRoot().addResource("images").addResource("{imageId}").addResource("access")
                .addMethod("GET", integration);

        NagSuppressions.addResourceSuppressions(this, List.of(
                NagPackSuppression.builder().id("AwsSolutions-APIG3")
                        .reason("IAM-authorized internal API for operators and pipelines; no public clients to "
                                + "filter with WAF")
                        .build(),
                NagPackSuppression.builder().id("AwsSolutions-COG4")
                        .reason("Callers are AWS principals: IAM (SigV4) authorization, not Cognito user pools")
                        .build(),
                NagPackSuppression.builder().id("AwsSolutions-IAM4")
                        .reason("The account-wide API Gateway logging role uses the AWS-managed "
                                + "AmazonAPIGatewayPushToCloudWatchLogs policy, as API Gateway documents")
                        .build()), true);
    }

    public RestApi api() {
        return api;
    }
}
