package dev.amishare.functions.api;

import dev.amishare.functions.revoke.RevokeInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.testing.FakeDynamoDb;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

class ShareApiServiceTest {

    private static final String ALICE = "arn:aws:sts::111111111111:assumed-role/release/alice";
    private static final String BOB = "arn:aws:sts::111111111111:assumed-role/release/bob";
    private static final String BODY = "{\"imageId\":\"ami-12345678\",\"targets\":[{\"accountId\":\"222222222222\"}]}";

    /** A clock the tests move on. */
    private static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-12-02T18:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final FakeDynamoDb ddb = new FakeDynamoDb();
    private final RecordingSfn sfn = new RecordingSfn();
    private final MovableClock clock = new MovableClock();
    private final List<String> reported = new ArrayList<>();
    private ShareApiService service = new ShareApiService(sfn, RecordingSfn.STATE_MACHINE,
            new dev.amishare.functions.ledger.ShareLedger(ddb, FakeDynamoDb.TABLE), new IdempotencyKeys(ddb, FakeDynamoDb.TABLE, clock),
            imageId -> {
                reported.add(imageId);
                return Map.of("imageId", imageId, "launchPermissions", List.of());
            });
    private int requests;

    private APIGatewayProxyRequestEvent request(String method, String resource, String caller) {
        APIGatewayProxyRequestEvent request = new APIGatewayProxyRequestEvent()
                .withHttpMethod(method).withResource(resource).withPath(resource)
                .withRequestContext(new APIGatewayProxyRequestEvent.ProxyRequestContext()
                        .withRequestId("req-" + (++requests))
                        .withIdentity(new APIGatewayProxyRequestEvent.RequestIdentity().withUserArn(caller)));
        request.setHeaders(new HashMap<>());
        return request;
    }

    private APIGatewayProxyRequestEvent post(String caller, String key, String body) {
        APIGatewayProxyRequestEvent request = request("POST", "/shares", caller).withBody(body);
        if (key != null) {
            request.getHeaders().put("idempotency-key", key);
        }
        return request;
    }

    private APIGatewayProxyRequestEvent onShare(String method, String id, Map<String, String> query) {
        return request(method, "/shares/{id}", ALICE).withPathParameters(Map.of("id", id))
                .withQueryStringParameters(query);
    }

    private static JsonNode body(APIGatewayProxyResponseEvent response) throws Exception {
        return Json.MAPPER.readTree(response.getBody());
    }

    private void shareRecord(String id, String imageId) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", AttributeValue.fromS("SHARES"));
        item.put("sk", AttributeValue.fromS(id));
        item.put("shareId", AttributeValue.fromS(id));
        item.put("imageId", AttributeValue.fromS(imageId));
        item.put("region", AttributeValue.fromS("us-east-1"));
        item.put("principals", AttributeValue.fromS("{\"accountIds\":[\"222222222222\"]}"));
        item.put("keyArns", AttributeValue.fromL(List.of()));
        item.put("snapshotIds", AttributeValue.fromL(List.of(AttributeValue.fromS("snap-12345678"))));
        item.put("state", AttributeValue.fromS("SHARED"));
        item.put("requestedBy", AttributeValue.fromS(ALICE));
        item.put("createdAt", AttributeValue.fromS("2026-12-01T10:00:00Z"));
        item.put("executionArn", AttributeValue.fromS(RecordingSfn.EXECUTIONS + id));
        ddb.put(item);
    }

    @Test
    void start_shouldNameTheExecutionAfterTheRequestAndTheCallerAsRequester_whenNoKeyIsSent() throws Exception {
        // GIVEN a share request without an Idempotency-Key
        APIGatewayProxyRequestEvent request = post(ALICE, null, BODY);

        // WHEN
        APIGatewayProxyResponseEvent response = service.handle(request);

        // THEN 202 with the execution named after the API request, whose input names the signed caller first
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
        JsonNode accepted = body(response);
        assertThat(accepted.path("id").asText()).isEqualTo("req-1");
        assertThat(accepted.path("executionArn").asText()).isEqualTo(RecordingSfn.EXECUTIONS + "req-1");
        assertThat(accepted.path("startDate").asText()).isEqualTo("2026-12-02T18:00:00Z");
        assertThat(sfn.starts).singleElement().satisfies(s -> assertThat(s.input()).isEqualTo(
                "{\"requestedBy\":\"" + ALICE + "\",\"imageId\":\"ami-12345678\","
                        + "\"targets\":[{\"accountId\":\"222222222222\"}]}"));
        assertThat(ddb.count("PutItem")).isZero();
    }

    @Test
    void start_shouldReturnTheFirstExecution_whenTheSameCallerReplaysTheSameKey() throws Exception {
        // GIVEN a share started with a key
        APIGatewayProxyResponseEvent first = service.handle(post(ALICE, "release-42", BODY));
        assertThat(first.getStatusCode()).as(first.getBody()).isEqualTo(202);

        // WHEN the same caller sends the same key and body an hour later
        clock.now = clock.now.plus(Duration.ofHours(1));
        APIGatewayProxyResponseEvent replay = service.handle(post(ALICE, "release-42", BODY));

        // THEN 200 with the first execution, marked as replayed, and no second execution
        assertThat(replay.getStatusCode()).as(replay.getBody()).isEqualTo(200);
        assertThat(replay.getHeaders()).containsEntry("Idempotent-Replayed", "true");
        assertThat(body(replay).path("id").asText()).isEqualTo(body(first).path("id").asText())
                .matches("idem-[0-9a-f]{40}-" + Instant.parse("2026-12-02T18:00:00Z").getEpochSecond());
        assertThat(body(replay).path("executionArn").asText()).isEqualTo(body(first).path("executionArn").asText());
        assertThat(body(replay).path("startDate").asText()).isEqualTo("2026-12-02T18:00:00Z");
        assertThat(sfn.executions).hasSize(1);
        String hash = IdempotencyKeys.hash(ALICE, "release-42");
        assertThat(ddb.item("IDEMPOTENCY#" + hash, "IDEMPOTENCY")).satisfies(item -> {
            assertThat(item.get("shareId").s()).isEqualTo(body(first).path("id").asText());
            assertThat(item.get("executionArn").s()).isEqualTo(body(first).path("executionArn").asText());
            assertThat(item.get("expiresAt").n()).isEqualTo(Long.toString(
                    Instant.parse("2026-12-03T18:00:00Z").getEpochSecond()));
        });
    }

    @Test
    void start_shouldStartSeparateExecutions_whenTwoCallersSendTheSameKey() throws Exception {
        // GIVEN / WHEN two callers use the same key
        APIGatewayProxyResponseEvent alice = service.handle(post(ALICE, "release-42", BODY));
        APIGatewayProxyResponseEvent bob = service.handle(post(BOB, "release-42", BODY));

        // THEN each gets an execution of their own, and neither is a replay
        assertThat(alice.getStatusCode()).isEqualTo(202);
        assertThat(bob.getStatusCode()).isEqualTo(202);
        assertThat(body(alice).path("id").asText()).isNotEqualTo(body(bob).path("id").asText());
        assertThat(bob.getHeaders()).doesNotContainKey("Idempotent-Replayed");
        assertThat(sfn.executions).hasSize(2);
        assertThat(Json.MAPPER.readTree(sfn.starts.get(1).input()).path("requestedBy").asText()).isEqualTo(BOB);
    }

    @Test
    void start_shouldStartANewExecution_whenTheKeyHasExpired() throws Exception {
        // GIVEN a key first used more than 24 hours ago (its item not yet deleted by TTL)
        APIGatewayProxyResponseEvent first = service.handle(post(ALICE, "release-42", BODY));

        // WHEN it is used again after its 24 hours
        clock.now = clock.now.plus(Duration.ofHours(24)).plusSeconds(1);
        APIGatewayProxyResponseEvent second = service.handle(post(ALICE, "release-42", BODY));

        // THEN a new execution starts under a new name, and the key now names it
        assertThat(second.getStatusCode()).as(second.getBody()).isEqualTo(202);
        assertThat(body(second).path("id").asText()).isNotEqualTo(body(first).path("id").asText())
                .endsWith("-" + clock.now.getEpochSecond());
        assertThat(sfn.executions).hasSize(2);
        assertThat(ddb.item("IDEMPOTENCY#" + IdempotencyKeys.hash(ALICE, "release-42"), "IDEMPOTENCY")
                .get("shareId").s()).isEqualTo(body(second).path("id").asText());
    }

    @Test
    void start_shouldStartTheClaimedExecution_whenTheFirstUseStoppedBetweenClaimAndStart() throws Exception {
        // GIVEN a key claimed by a first use that stopped before StartExecution (its item names an execution
        // that does not exist)
        String hash = IdempotencyKeys.hash(ALICE, "release-42");
        String name = "idem-" + hash.substring(0, 40) + "-" + clock.now.getEpochSecond();
        new IdempotencyKeys(ddb, FakeDynamoDb.TABLE, clock).claim(ALICE, "release-42",
                canonical(BODY), n -> RecordingSfn.EXECUTIONS + n);
        assertThat(sfn.executions).isEmpty();

        // WHEN the caller retries
        APIGatewayProxyResponseEvent retry = service.handle(post(ALICE, "release-42", BODY));

        // THEN the claimed execution starts now, under the claimed name
        assertThat(retry.getStatusCode()).as(retry.getBody()).isEqualTo(200);
        assertThat(body(retry).path("id").asText()).isEqualTo(name);
        assertThat(sfn.executions).containsOnlyKeys(name);
    }

    private static String canonical(String body) throws Exception {
        Object tree = Json.MAPPER.readValue(body, Object.class);
        return IdempotencyKeys.sha256(Json.MAPPER.copy()
                .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                .writeValueAsString(tree));
    }

    @Test
    void start_shouldAnswerWithTheExecution_whenStartExecutionSaysItAlreadyExists() throws Exception {
        // GIVEN an execution of the name this request gets, started by an earlier attempt whose answer was lost
        sfn.existing("req-1", "{}", ExecutionStatus.RUNNING);

        // WHEN
        APIGatewayProxyResponseEvent response = service.handle(post(ALICE, null, BODY));

        // THEN that execution is the answer, not an error
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
        assertThat(body(response).path("executionArn").asText()).isEqualTo(RecordingSfn.EXECUTIONS + "req-1");
        assertThat(body(response).path("startDate").asText()).isEqualTo("2026-12-02T18:00:00Z");
        assertThat(sfn.starts).hasSize(1);
    }

    @Test
    void start_shouldAnswer422AndStartNothing_whenAKeyIsReusedWithAnotherBody() throws Exception {
        // GIVEN a key first used with one body
        service.handle(post(ALICE, "release-42", BODY));

        // WHEN it comes again with another body (key order and spacing alone do not count)
        APIGatewayProxyResponseEvent sameBody = service.handle(post(ALICE, "release-42",
                "{ \"targets\": [{\"accountId\": \"222222222222\"}], \"imageId\": \"ami-12345678\" }"));
        APIGatewayProxyResponseEvent other = service.handle(post(ALICE, "release-42",
                BODY.replace("222222222222", "333333333333")));

        // THEN the reordered body is a replay; the other is refused, naming the key, and nothing starts
        assertThat(sameBody.getStatusCode()).isEqualTo(200);
        assertThat(other.getStatusCode()).isEqualTo(422);
        assertThat(body(other).path("problems").get(0).asText()).startsWith("Idempotency-Key: this key started");
        assertThat(sfn.executions).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "caf\u00e9", "tab\tkey"})
    void start_shouldAnswer400NamingTheHeaderAndChangeNothing_whenTheKeyIsMalformed(String key) throws Exception {
        // GIVEN a malformed key and a body that names requestedBy itself
        APIGatewayProxyRequestEvent request = post(ALICE, key, "{\"imageId\":\"ami-12345678\",\"requestedBy\":\"x\"}");

        // WHEN
        APIGatewayProxyResponseEvent response = service.handle(request);

        // THEN 400 listing both problems, and neither the ledger nor Step Functions was touched
        assertThat(response.getStatusCode()).isEqualTo(400);
        JsonNode refused = body(response);
        assertThat(refused.path("message").asText()).isEqualTo("invalid share request");
        assertThat(refused.path("problems")).hasSize(2);
        assertThat(refused.path("problems").get(0).asText()).startsWith("Idempotency-Key: must be");
        assertThat(refused.path("problems").get(1).asText()).startsWith("requestedBy:");
        assertThat(ddb.count("PutItem")).isZero();
        assertThat(sfn.starts).isEmpty();
    }

    @Test
    void start_shouldAnswer400_whenTheKeyIsLongerThan255Characters() throws Exception {
        // GIVEN / WHEN
        APIGatewayProxyResponseEvent response = service.handle(post(ALICE, "k".repeat(256), BODY));

        // THEN
        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(body(response).path("problems").get(0).asText())
                .isEqualTo("Idempotency-Key: must be 1 to 255 characters, got 256");
        assertThat(sfn.starts).isEmpty();
    }

    @Test
    void unshare_shouldAnswer404AndChangeNothing_whenTheLedgerHasNoSuchShare() throws Exception {
        // GIVEN an empty ledger
        // WHEN
        APIGatewayProxyResponseEvent response = service.handle(onShare("DELETE", "req-unknown", null));

        // THEN 404, no execution started, nothing written
        assertThat(response.getStatusCode()).isEqualTo(404);
        assertThat(body(response).path("problems").get(0).asText()).contains("req-unknown");
        assertThat(sfn.starts).isEmpty();
        assertThat(ddb.count("PutItem")).isZero();
    }

    @Test
    void unshare_shouldStartTheUnshareOnce_whenTheLedgerHoldsTheShare() throws Exception {
        // GIVEN a share in the ledger
        shareRecord("req-7", "ami-12345678");

        // WHEN it is deleted twice
        APIGatewayProxyResponseEvent first = service.handle(onShare("DELETE", "req-7",
                Map.of("deregisterCopies", "false")));
        APIGatewayProxyResponseEvent again = service.handle(onShare("DELETE", "req-7", Map.of()));

        // THEN one unshare execution, named after the share, its input naming the share and the caller
        assertThat(first.getStatusCode()).as(first.getBody()).isEqualTo(202);
        assertThat(again.getStatusCode()).isEqualTo(202);
        assertThat(body(first).path("id").asText()).isEqualTo("unshare-req-7");
        assertThat(body(first).path("shareId").asText()).isEqualTo("req-7");
        assertThat(body(again).path("executionArn").asText()).isEqualTo(RecordingSfn.EXECUTIONS + "unshare-req-7");
        assertThat(sfn.executions).containsOnlyKeys("unshare-req-7");
        assertThat(Json.MAPPER.readTree(sfn.executions.get("unshare-req-7").input())).isEqualTo(Json.MAPPER.readTree(
                "{\"unshare\":{\"shareId\":\"req-7\",\"deregisterCopies\":false},\"requestedBy\":\"" + ALICE + "\"}"));
    }

    @Test
    void unshareName_shouldStayWithin80Characters_whenTheShareIdIsLong() {
        // GIVEN / WHEN two 80-character ids that share their first 60 characters
        String a = ShareApiService.unshareName("a".repeat(60) + "b".repeat(20));
        String b = ShareApiService.unshareName("a".repeat(60) + "c".repeat(20));

        // THEN both fit and differ
        assertThat(a).hasSize(80).startsWith("unshare-aaa");
        assertThat(b).hasSize(80).isNotEqualTo(a);
    }

    @Test
    void unshare_shouldAnswer400AndStartNothing_whenAskedToDeregisterCopies() throws Exception {
        // GIVEN a share in the ledger
        shareRecord("req-7", "ami-12345678");

        // WHEN
        APIGatewayProxyResponseEvent response = service.handle(onShare("DELETE", "req-7",
                Map.of("deregisterCopies", "true")));

        // THEN
        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(body(response).path("problems").get(0).asText()).isEqualTo(RevokeInput.DEREGISTER_NOT_BUILT);
        assertThat(sfn.starts).isEmpty();
    }

    @Test
    void unshare_shouldAnswer400_whenDeregisterCopiesIsNotABoolean() throws Exception {
        // GIVEN a share in the ledger
        shareRecord("req-7", "ami-12345678");

        // WHEN
        APIGatewayProxyResponseEvent response = service.handle(onShare("DELETE", "req-7",
                Map.of("deregisterCopies", "yes")));

        // THEN
        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(body(response).path("problems").get(0).asText()).startsWith("deregisterCopies:");
        assertThat(sfn.starts).isEmpty();
    }

    @Test
    void list_shouldPageThroughEveryShare_whenMoreThanALimitExist() throws Exception {
        // GIVEN five shares; DynamoDB pages of at most two items
        for (int i = 1; i <= 5; i++) {
            shareRecord("req-" + i, "ami-1234567" + i);
        }

        // WHEN they are listed three at a time
        JsonNode first = body(service.handle(request("GET", "/shares", ALICE)
                .withQueryStringParameters(Map.of("limit", "3"))));
        JsonNode second = body(service.handle(request("GET", "/shares", ALICE)
                .withQueryStringParameters(Map.of("limit", "3", "next", first.path("next").asText()))));

        // THEN three, then the other two and no next page
        assertThat(first.path("shares")).extracting(s -> s.path("id").asText())
                .containsExactly("req-1", "req-2", "req-3");
        assertThat(first.path("next").asText()).isEqualTo("req-3");
        assertThat(second.path("shares")).extracting(s -> s.path("id").asText()).containsExactly("req-4", "req-5");
        assertThat(second.path("next").isNull()).isTrue();
        assertThat(first.path("shares").get(0)).isEqualTo(Json.MAPPER.readTree("""
                {"id":"req-1","imageId":"ami-12345671",
                 "principals":{"accountIds":["222222222222"],"organizationArns":[],"organizationalUnitArns":[]},
                 "state":"SHARED","createdAt":"2026-12-01T10:00:00Z","requestedBy":"%s"}""".formatted(ALICE)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "101", "ten"})
    void list_shouldAnswer400NamingTheLimit_whenItIsOutOfRange(String limit) throws Exception {
        // GIVEN / WHEN
        APIGatewayProxyResponseEvent response = service.handle(request("GET", "/shares", ALICE)
                .withQueryStringParameters(Map.of("limit", limit)));

        // THEN
        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(body(response).path("problems").get(0).asText())
                .isEqualTo("limit: must be a whole number from 1 to 100, got '" + limit + "'");
        assertThat(ddb.count("Query")).isZero();
    }

    @Test
    void read_shouldJoinTheRecordAndTheExecutionWithoutTheStackTrace_whenTheShareFailed() throws Exception {
        // GIVEN a share whose execution failed in a Lambda function
        shareRecord("req-9", "ami-12345678");
        sfn.existing("req-9", "{}", ExecutionStatus.RUNNING);
        sfn.ended("req-9", ExecutionStatus.FAILED, null, "dev.amishare.errors.OutsidePerimeterException",
                "{\"errorMessage\":\"account 999999999999 is outside the perimeter\",\"errorType\":\"x\","
                        + "\"stackTrace\":[\"at dev.amishare.functions.X\"]}");

        // WHEN
        APIGatewayProxyResponseEvent response = service.handle(onShare("GET", "req-9", null));

        // THEN its status, its error and only the message of the cause, and the ledger's record
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        JsonNode share = body(response);
        assertThat(share.path("status").asText()).isEqualTo("FAILED");
        assertThat(share.path("error").asText()).isEqualTo("dev.amishare.errors.OutsidePerimeterException");
        assertThat(share.path("cause").asText()).isEqualTo("account 999999999999 is outside the perimeter");
        assertThat(response.getBody()).doesNotContain("stackTrace");
        assertThat(share.path("stopDate").asText()).isEqualTo("2026-12-02T18:01:00Z");
        assertThat(share.path("share").path("state").asText()).isEqualTo("SHARED");
        assertThat(share.path("share").path("snapshotIds").get(0).asText()).isEqualTo("snap-12345678");
    }

    @Test
    void read_shouldReportTheExecution_whenTheLedgerHasNoRecord() throws Exception {
        // GIVEN an execution refused before Prepare recorded it, with its report as output
        sfn.existing("req-3", "{}", ExecutionStatus.RUNNING);
        sfn.ended("req-3", ExecutionStatus.SUCCEEDED, "{\"summary\":{\"succeeded\":1}}", null, null);

        // WHEN
        JsonNode share = body(service.handle(onShare("GET", "req-3", null)));

        // THEN the execution's status and its report as JSON, and no record
        assertThat(share.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(share.path("report").path("summary").path("succeeded").asInt()).isEqualTo(1);
        assertThat(share.path("share").isNull()).isTrue();
    }

    @Test
    void read_shouldAnswer404_whenNeitherTheLedgerNorStepFunctionsKnowTheId() throws Exception {
        // GIVEN / WHEN an unknown id, and a malformed one
        APIGatewayProxyResponseEvent unknown = service.handle(onShare("GET", "req-404", null));
        APIGatewayProxyResponseEvent malformed = service.handle(onShare("GET", "a b", null));

        // THEN 404 and 400
        assertThat(unknown.getStatusCode()).isEqualTo(404);
        assertThat(malformed.getStatusCode()).isEqualTo(400);
        assertThat(body(malformed).path("problems").get(0).asText()).startsWith("id: must be");
    }

    @Test
    void handle_shouldAnswer404NamingTheRoute_whenTheRouteIsUnknown() throws Exception {
        // GIVEN / WHEN
        APIGatewayProxyResponseEvent response = service.handle(request("PUT", "/shares", ALICE));

        // THEN
        assertThat(response.getStatusCode()).isEqualTo(404);
        assertThat(body(response).path("problems").get(0).asText()).startsWith("PUT /shares: not a route");
    }

    @Test
    void access_shouldDelegateToTheReport_whenTheImageIdIsWellFormed() throws Exception {
        // GIVEN / WHEN
        APIGatewayProxyResponseEvent ok = service.handle(request("GET", "/images/{imageId}/access", ALICE)
                .withPathParameters(Map.of("imageId", "ami-12345678")));
        APIGatewayProxyResponseEvent bad = service.handle(request("GET", "/images/{imageId}/access", ALICE)
                .withPathParameters(Map.of("imageId", "ami-XYZ")));

        // THEN the report of the well-formed one only
        assertThat(ok.getStatusCode()).isEqualTo(200);
        assertThat(body(ok).path("imageId").asText()).isEqualTo("ami-12345678");
        assertThat(bad.getStatusCode()).isEqualTo(400);
        assertThat(reported).containsExactly("ami-12345678");
    }

    @Test
    void access_shouldAnswer501_whenNoReportsAreWired() throws Exception {
        // GIVEN a service without access reports
        service = new ShareApiService(sfn, RecordingSfn.STATE_MACHINE, new dev.amishare.functions.ledger.ShareLedger(ddb, FakeDynamoDb.TABLE),
                new IdempotencyKeys(ddb, FakeDynamoDb.TABLE, clock), null);

        // WHEN
        APIGatewayProxyResponseEvent response = service.handle(request("GET", "/images/{imageId}/access", ALICE)
                .withPathParameters(Map.of("imageId", "ami-12345678")));

        // THEN
        assertThat(response.getStatusCode()).isEqualTo(501);
    }

    @Test
    void start_shouldAnswer403_whenTheRequestCarriesNoCaller() throws Exception {
        // GIVEN / WHEN a request without an IAM identity
        APIGatewayProxyResponseEvent response = service.handle(post(null, null, BODY));

        // THEN nobody can be named as the requester: refused
        assertThat(response.getStatusCode()).isEqualTo(403);
        assertThat(sfn.starts).isEmpty();
    }
}
