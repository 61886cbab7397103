package dev.amishare.infra;

import java.util.List;
import java.util.Map;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.apigateway.AccessLogFormat;
import software.amazon.awscdk.services.apigateway.AuthorizationType;
import software.amazon.awscdk.services.apigateway.AwsIntegration;
import software.amazon.awscdk.services.apigateway.CfnModel;
import software.amazon.awscdk.services.apigateway.EndpointType;
import software.amazon.awscdk.services.apigateway.IModel;
import software.amazon.awscdk.services.apigateway.IntegrationOptions;
import software.amazon.awscdk.services.apigateway.IntegrationResponse;
import software.amazon.awscdk.services.apigateway.LogGroupLogDestination;
import software.amazon.awscdk.services.apigateway.MethodLoggingLevel;
import software.amazon.awscdk.services.apigateway.MethodOptions;
import software.amazon.awscdk.services.apigateway.MethodResponse;
import software.amazon.awscdk.services.apigateway.Model;
import software.amazon.awscdk.services.apigateway.PassthroughBehavior;
import software.amazon.awscdk.services.apigateway.RequestValidator;
import software.amazon.awscdk.services.apigateway.Resource;
import software.amazon.awscdk.services.apigateway.RestApi;
import software.amazon.awscdk.services.apigateway.StageOptions;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.stepfunctions.IStateMachine;
import software.constructs.Construct;

/**
 * REST API in front of the workflow, without a Lambda in between: POST /shares validates the body
 * against the share-request schema in API Gateway and calls states:StartExecution; GET /shares/{id}
 * calls states:DescribeExecution. IAM authorization: callers sign with SigV4 and need execute-api:Invoke.
 */
public final class ShareApi extends Construct {

    /** Requests per second, and the burst above it, each method of the API accepts. */
    static final int RATE_LIMIT = 10;
    static final int BURST_LIMIT = 20;

    private final RestApi api;

    public ShareApi(Construct scope, String id, IStateMachine stateMachine, String stateMachineName,
            Map<String, Object> schema) {
        super(scope, id);
        Stack stack = Stack.of(this);

        LogGroup accessLogs = LogGroup.Builder.create(this, "AccessLogs").retention(RetentionDays.ONE_MONTH).build();
        api = RestApi.Builder.create(this, "Api")
                .restApiName("amishare")
                .description("amishare: start a share and read its status")
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

        // API Gateway starts and reads executions itself, with a role that can do only that.
        Role role = Role.Builder.create(this, "StepFunctionsRole")
                .assumedBy(new ServicePrincipal("apigateway.amazonaws.com"))
                .description("amishare API: starts and describes share executions")
                .build();
        role.addToPrincipalPolicy(StageFunctions.allow(List.of("states:StartExecution"),
                List.of(stateMachine.getStateMachineArn())));
        String executions = StageFunctions.executionsOf(stack, stateMachineName);
        role.addToPrincipalPolicy(StageFunctions.allow(List.of("states:DescribeExecution"), List.of(executions)));

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

        Resource shares = api.getRoot().addResource("shares");
        // The execution is named after the API request id: the id the caller gets back and reads with GET.
        // The input is the body with the caller's IAM identity put first as requestedBy: the model refuses a
        // body that names requestedBy itself, so the caller cannot choose what the report says.
        String start = """
                #set($body = $input.json('$'))
                {"stateMachineArn": "%s",
                 "name": "$context.requestId",
                 "input": "{\\"requestedBy\\":\\"$util.escapeJavaScript($context.identity.userArn)\\",$util.escapeJavaScript($body.substring(1)).replaceAll("\\\\'", "'")"}"""
                .formatted(stateMachine.getStateMachineArn());
        shares.addMethod("POST", AwsIntegration.Builder.create()
                .service("states")
                .action("StartExecution")
                .integrationHttpMethod("POST")
                .options(IntegrationOptions.builder()
                        .credentialsRole(role)
                        .passthroughBehavior(PassthroughBehavior.NEVER)
                        .requestTemplates(Map.of("application/json", start))
                        .integrationResponses(List.of(
                                IntegrationResponse.builder().statusCode("202").responseTemplates(Map.of(
                                        "application/json", """
                                                {"id": "$context.requestId",
                                                 "executionArn": "$input.path('$.executionArn')",
                                                 "startDate": "$input.path('$.startDate')"}""")).build(),
                                IntegrationResponse.builder().statusCode("400").selectionPattern("4\\d{2}").build(),
                                IntegrationResponse.builder().statusCode("500").selectionPattern("5\\d{2}").build()))
                        .build())
                .build(), MethodOptions.builder()
                .requestValidator(bodyValidator)
                .requestModels(Map.of("application/json", model))
                .methodResponses(List.of(response("202"), response("400"), response("500")))
                .build());

        String describe = """
                {"executionArn": "%s$util.escapeJavaScript($input.params('id'))"}"""
                .formatted(executions.substring(0, executions.length() - 1));
        shares.addResource("{id}").addMethod("GET", AwsIntegration.Builder.create()
                .service("states")
                .action("DescribeExecution")
                .integrationHttpMethod("POST")
                .options(IntegrationOptions.builder()
                        .credentialsRole(role)
                        .passthroughBehavior(PassthroughBehavior.NEVER)
                        .requestTemplates(Map.of("application/json", describe))
                        .integrationResponses(List.of(
                                // The report is the workflow's output, a JSON document in a string.
                                IntegrationResponse.builder().statusCode("200").responseTemplates(Map.of(
                                        "application/json", """
                                                {"id": "$input.params('id')",
                                                 "status": "$input.path('$.status')",
                                                 "startDate": "$input.path('$.startDate')",
                                                 "stopDate": "$input.path('$.stopDate')",
                                                 "report": $input.json('$.output'),
                                                 "error": $input.json('$.error'),
                                                 #set($cause = "$!input.path('$.cause')")
                                                 #if($cause.startsWith("{"))
                                                 ## A Lambda error: its message only, never its stack trace.
                                                 #set($lambdaError = $util.parseJson($cause))
                                                 "cause": "$util.escapeJavaScript($lambdaError.errorMessage).replaceAll("\\\\'", "'")"}
                                                 #else
                                                 "cause": $input.json('$.cause')}
                                                 #end""")).build(),
                                // ExecutionDoesNotExist and InvalidArn: no share with this id.
                                IntegrationResponse.builder().statusCode("404").selectionPattern("4\\d{2}").build(),
                                IntegrationResponse.builder().statusCode("500").selectionPattern("5\\d{2}").build()))
                        .build())
                .build(), MethodOptions.builder()
                .methodResponses(List.of(response("200"), response("404"), response("500")))
                .build());

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
                        .build(),
                NagPackSuppression.builder().id("AwsSolutions-IAM5")
                        .reason("DescribeExecution is granted on this state machine's executions, whose names "
                                + "are the API request ids")
                        .build()), true);
    }

    private static MethodResponse response(String status) {
        return MethodResponse.builder().statusCode(status).build();
    }

    public RestApi api() {
        return api;
    }
}
