package dev.amishare.functions.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.amishare.contract.Names;
import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;
import dev.amishare.functions.access.AccessReportService;
import dev.amishare.functions.access.RecordedGrant;
import dev.amishare.functions.entry.ExecutionStarter;
import dev.amishare.functions.ledger.ShareLedger;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Target of the REST API's Lambda proxy integration (API Gateway's proxy event in, its proxy response out):
 * see {@link ShareApiService} for the routes. The event is read leniently, as AWS's own events are.
 */
public final class ShareApiHandler extends StageHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

    public ShareApiHandler() {
        this(service(AwsClients.dynamoDb(), System.getenv(Names.ENV_LEDGER_TABLE)));
    }

    public ShareApiHandler(ShareApiService service) {
        super(APIGatewayProxyRequestEvent.class, ShareApiHandler::logFields, service::handle, Json.AWS_EVENTS);
    }

    private static ShareApiService service(DynamoDbClient ddb, String table) {
        ShareLedger ledger = new ShareLedger(ddb, table);
        AccessReportService reports = new AccessReportService(AwsClients.ec2(), AwsClients.kms(), resource ->
                ledger.grants(resource).stream().map(g -> new RecordedGrant(g.kind().name(), g.resource(),
                        g.principal(), g.imageId(), g.shareId(), g.executionId(), g.grantedAt(), g.requestedBy()))
                        .toList());
        return new ShareApiService(AwsClients.sfn(), System.getenv(ExecutionStarter.STATE_MACHINE_ARN), ledger,
                new IdempotencyKeys(ddb, table, Clock.systemUTC()), reports::report);
    }

    private static LogContext.Fields logFields(APIGatewayProxyRequestEvent request) {
        Map<String, String> path = request.getPathParameters() == null ? Map.of() : request.getPathParameters();
        return new LogContext.Fields(path.get("imageId"), null, path.get("id"));
    }
}
