package dev.amishare.functions.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.testing.FakeDynamoDb;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class ShareApiHandlerTest {

    @Test
    void handleRequest_shouldAnswerAProxyResponse_whenTheEventCarriesFieldsTheEventClassDoesNotModel()
            throws Exception {
        // GIVEN the sample POST /shares event with a field AWS may add that the event class lacks
        ObjectNode event = (ObjectNode) Json.MAPPER.readTree(Files.readString(Path.of("../../events/stages/share-api.json")));
        ((ObjectNode) event.path("requestContext")).put("deploymentId", "dep123");
        FakeDynamoDb ddb = new FakeDynamoDb();
        RecordingSfn sfn = new RecordingSfn();
        ShareApiHandler handler = new ShareApiHandler(new ShareApiService(sfn, RecordingSfn.STATE_MACHINE,
                new dev.amishare.functions.ledger.ShareLedger(ddb, FakeDynamoDb.TABLE),
                new IdempotencyKeys(ddb, FakeDynamoDb.TABLE, Clock.systemUTC()), null));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        // WHEN
        handler.handleRequest(new ByteArrayInputStream(Json.MAPPER.writeValueAsBytes(event)), out, null);

        // THEN API Gateway's proxy response: 202, JSON, the execution started under the key for the signed caller
        JsonNode response = Json.MAPPER.readTree(out.toByteArray());
        assertThat(response.path("statusCode").asInt()).as(response.toString()).isEqualTo(202);
        assertThat(response.path("headers").path("Content-Type").asText()).isEqualTo("application/json");
        assertThat(Json.MAPPER.readTree(response.path("body").asText()).path("id").asText()).startsWith("idem-");
        assertThat(Json.MAPPER.readTree(sfn.starts.get(0).input()).path("requestedBy").asText())
                .isEqualTo("arn:aws:sts::111111111111:assumed-role/release-pipeline/release-pipeline");
    }
}
