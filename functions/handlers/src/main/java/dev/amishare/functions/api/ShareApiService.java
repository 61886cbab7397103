package dev.amishare.functions.api;

import dev.amishare.functions.revoke.RevokeInput;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amishare.errors.AmishareException;
import dev.amishare.functions.common.AwsErrors;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.common.Validation.IdKind;
import dev.amishare.functions.ledger.ShareRecord;
import dev.amishare.functions.ledger.ShareRecords;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;

/**
 * The share API behind API Gateway's Lambda proxy integration: one method per route, chosen by the
 * request's resource and HTTP method. API Gateway has already checked the caller's SigV4 signature (IAM
 * authorization) and validated a POST body against the share-request model; this class refuses what is
 * left (headers, path and query parameters) with 400 and the problems named, before it changes anything.
 * <ul>
 * <li>POST /shares starts a share, named after the API request id, or after the {@code Idempotency-Key}
 * header ({@link IdempotencyKeys}): the same caller's same key within 24 hours gets the first execution
 * back (200, {@code Idempotent-Replayed: true}); with another body, 422.</li>
 * <li>GET /shares lists the ledger's share records, a page at a time.</li>
 * <li>GET /shares/{id} is the share's ledger record and its execution's status.</li>
 * <li>DELETE /shares/{id} starts the unshare of a share the ledger holds.</li>
 * <li>GET /images/{imageId}/access is the image's access report.</li>
 * </ul>
 * The caller is {@code requestContext.identity.userArn}: the workflow's input names it as {@code requestedBy},
 * and the body cannot (the model refuses the field, and so does this class).
 */
public final class ShareApiService {

    private static final Logger LOG = LogManager.getLogger(ShareApiService.class);

    /** Bodies keep their null fields: every response of one route has the same keys. */
    private static final ObjectMapper OUT = Json.MAPPER.copy().setSerializationInclusion(JsonInclude.Include.ALWAYS);
    /** Equal bodies hash alike whatever their key order and spacing. */
    private static final ObjectMapper CANONICAL = Json.MAPPER.copy()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    public static final String REPLAYED = "Idempotent-Replayed";
    static final int MAX_KEY_LENGTH = 255;
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 100;
    /** Step Functions' execution names: at most 80 characters; these are the ones amishare gives. */
    static final int MAX_NAME = 80;
    private static final Pattern EXECUTION_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,80}");
    private static final String UNSHARE_PREFIX = "unshare-";

    private final SfnClient sfn;
    private final String stateMachineArn;
    private final ShareRecords shares;
    private final IdempotencyKeys keys;
    private final AccessReports access;

    /**
     * @param access the access reports, or null where the deployment has none yet (the route answers 501)
     */
    public ShareApiService(SfnClient sfn, String stateMachineArn, ShareRecords shares, IdempotencyKeys keys,
            AccessReports access) {
        if (stateMachineArn == null || stateMachineArn.isBlank()) {
            throw new IllegalStateException("STATE_MACHINE_ARN is not set: the owner stack sets it on the API");
        }
        this.sfn = Objects.requireNonNull(sfn, "sfn");
        this.stateMachineArn = stateMachineArn;
        this.shares = Objects.requireNonNull(shares, "shares");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.access = access;
    }

    /** A refusal: the status and the problems, in the one error body {@code {"message", "problems"}}. */
    private static final class Refused extends RuntimeException {
        final int status;
        final List<String> problems;

        Refused(int status, String message, List<String> problems) {
            super(message, null, false, false);
            this.status = status;
            this.problems = List.copyOf(problems);
        }
    }

    public APIGatewayProxyResponseEvent handle(APIGatewayProxyRequestEvent request) {
        String route = request.getHttpMethod() + " " + request.getResource();
        try {
            return switch (route) {
                case "POST /shares" -> start(request);
                case "GET /shares" -> list(request);
                case "GET /shares/{id}" -> read(request);
                case "DELETE /shares/{id}" -> unshare(request);
                case "GET /images/{imageId}/access" -> access(request);
                default -> throw new Refused(404, "no such route", List.of(route + ": not a route of this API "
                        + "(POST /shares, GET /shares, GET|DELETE /shares/{id}, GET /images/{imageId}/access)"));
            };
        } catch (Refused e) {
            LOG.info("{} refused {}: {} {}", route, e.status, e.getMessage(), e.problems);
            return error(e.status, e.getMessage(), e.problems);
        } catch (AmishareException e) {
            // Throttled, unavailable or denied AWS calls: named, retryable by the caller when transient.
            LOG.warn("{} failed: {}", route, e.getMessage());
            return error(e.isRetryable() ? 503 : 500, e.getMessage(), List.of());
        } catch (SdkClientException e) {
            RuntimeException mapped = AwsErrors.noAnswer("an AWS call", e);
            LOG.warn("{} failed: {}", route, e.getMessage());
            return error(mapped instanceof AmishareException ? 503 : 500, mapped.getMessage(), List.of());
        } catch (RuntimeException e) {
            // The caller gets no stack trace and no internals; the log has them.
            LOG.error("{} failed", route, e);
            return error(500, "internal error", List.of());
        }
    }

    // ---- POST /shares -------------------------------------------------------------------------------------

    private APIGatewayProxyResponseEvent start(APIGatewayProxyRequestEvent request) {
        String caller = caller(request);
        List<String> problems = new ArrayList<>();
        String key = idempotencyKey(request, problems);
        ObjectNode body = body(request, problems);
        if (!problems.isEmpty()) {
            throw new Refused(400, "invalid share request", problems);
        }
        ObjectNode input = Json.MAPPER.createObjectNode();
        input.put("requestedBy", caller);
        input.setAll(body);
        String imageId = body.path("imageId").asText(null);
        if (key == null) {
            String name = request.getRequestContext().getRequestId();
            Started started = startExecution(name, input);
            LOG.info("started share {} of {} for {}", name, imageId, caller);
            return accepted(name, started);
        }
        IdempotencyKeys.Claim claim = keys.claim(caller, key, canonicalHash(body), this::executionArn);
        if (!claim.replayed()) {
            Started started = startExecution(claim.shareId(), input);
            LOG.info("started share {} of {} for {} under an idempotency key", claim.shareId(), imageId, caller);
            return accepted(claim.shareId(), started);
        }
        if (claim.requestHash() != null && !claim.requestHash().equals(canonicalHash(body))) {
            throw new Refused(422, "idempotency key reused with another request", List.of(IDEMPOTENCY_KEY
                    + ": this key started share " + claim.shareId() + " with a different body within the last "
                    + IdempotencyKeys.TTL.toHours() + " hours; use a new key for a new request"));
        }
        // The first use claimed the key and may have stopped before StartExecution (a timeout, a crash):
        // then this replay starts it, under the claimed name, so that a retry always ends in a share.
        DescribeExecutionResponse execution = describe(claim.executionArn());
        Instant startDate;
        if (execution == null) {
            startDate = startExecution(claim.shareId(), input).startDate();
            LOG.info("started share {} of {} on a replay: its first use had not started it", claim.shareId(),
                    imageId);
        } else {
            startDate = execution.startDate();
            LOG.info("replayed share {} for an idempotency key", claim.shareId());
        }
        APIGatewayProxyResponseEvent response = json(200, started(claim.shareId(), claim.executionArn(), startDate));
        response.getHeaders().put(REPLAYED, "true");
        return response;
    }

    private record Started(String executionArn, Instant startDate) {
    }

    /** ExecutionAlreadyExists under one of amishare's own names is an earlier attempt of this very start. */
    private Started startExecution(String name, JsonNode input) {
        try {
            StartExecutionResponse started = sfn.startExecution(r -> r.stateMachineArn(stateMachineArn).name(name)
                    .input(Json.write(input)));
            return new Started(started.executionArn(), started.startDate());
        } catch (ExecutionAlreadyExistsException e) {
            String arn = executionArn(name);
            DescribeExecutionResponse existing = describe(arn);
            LOG.info("execution {} already exists; answering with it", name);
            return new Started(arn, existing == null ? null : existing.startDate());
        } catch (AwsServiceException e) {
            throw AwsErrors.common("states:StartExecution", e);
        }
    }

    private APIGatewayProxyResponseEvent accepted(String name, Started started) {
        return json(202, started(name, started.executionArn(), started.startDate()));
    }

    private static Map<String, Object> started(String id, String executionArn, Instant startDate) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("executionArn", executionArn);
        body.put("startDate", iso(startDate));
        return body;
    }

    /** The header, once, 1 to 255 printable ASCII characters (RFC 9110 field values, less tabs); or null. */
    static String idempotencyKey(APIGatewayProxyRequestEvent request, List<String> problems) {
        List<String> values = header(request, IDEMPOTENCY_KEY);
        if (values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            problems.add(IDEMPOTENCY_KEY + ": given " + values.size() + " times; send it once");
            return null;
        }
        String key = values.get(0);
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            problems.add(IDEMPOTENCY_KEY + ": must be 1 to " + MAX_KEY_LENGTH + " characters, got " + key.length());
            return null;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                problems.add(IDEMPOTENCY_KEY + ": must be printable ASCII (0x20-0x7E); character " + (i + 1)
                        + " is U+" + String.format(Locale.ROOT, "%04X", (int) c));
                return null;
            }
        }
        return key;
    }

    /** Every value of a header, its name matched case-insensitively as HTTP requires. */
    private static List<String> header(APIGatewayProxyRequestEvent request, String name) {
        if (request.getMultiValueHeaders() != null) {
            List<String> values = new ArrayList<>();
            request.getMultiValueHeaders().forEach((k, v) -> {
                if (k.equalsIgnoreCase(name) && v != null) {
                    values.addAll(v);
                }
            });
            if (!values.isEmpty()) {
                return values;
            }
        }
        if (request.getHeaders() != null) {
            for (Map.Entry<String, String> h : request.getHeaders().entrySet()) {
                if (h.getKey().equalsIgnoreCase(name) && h.getValue() != null) {
                    return List.of(h.getValue());
                }
            }
        }
        return List.of();
    }

    private static ObjectNode body(APIGatewayProxyRequestEvent request, List<String> problems) {
        String text = request.getBody();
        if (text != null && Boolean.TRUE.equals(request.getIsBase64Encoded())) {
            text = new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
        }
        if (text == null || text.isBlank()) {
            problems.add("body: a share request (JSON object) is required");
            return Json.MAPPER.createObjectNode();
        }
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            problems.add("body: not valid JSON: " + e.getOriginalMessage());
            return Json.MAPPER.createObjectNode();
        }
        if (!(body instanceof ObjectNode object)) {
            problems.add("body: must be a JSON object (a share request)");
            return Json.MAPPER.createObjectNode();
        }
        // The model refuses it already; the input's requestedBy must stay the signed caller whatever the model says.
        if (object.has("requestedBy")) {
            problems.add("requestedBy: set by the API to the caller's IAM identity; the body may not name it");
        }
        return object;
    }

    private static String canonicalHash(JsonNode body) {
        try {
            Object tree = CANONICAL.treeToValue(body, Object.class);
            return IdempotencyKeys.sha256(CANONICAL.writeValueAsString(tree));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed body serializes", e);
        }
    }

    // ---- GET /shares ---------------------------------------------------------------------------------------

    private APIGatewayProxyResponseEvent list(APIGatewayProxyRequestEvent request) {
        List<String> problems = new ArrayList<>();
        Map<String, String> query = request.getQueryStringParameters() == null ? Map.of()
                : request.getQueryStringParameters();
        int limit = DEFAULT_LIMIT;
        String limitText = query.get("limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                problems.add("limit: must be a whole number from 1 to " + MAX_LIMIT + ", got '" + limitText + "'");
            }
        }
        String next = query.get("next");
        if (next != null && !EXECUTION_NAME.matcher(next).matches()) {
            problems.add("next: must be a share id, as a previous page's next gave it, got '" + next + "'");
        }
        for (String name : query.keySet()) {
            if (!name.equals("limit") && !name.equals("next")) {
                problems.add(name + ": unknown query parameter (known: limit, next)");
            }
        }
        if (!problems.isEmpty()) {
            throw new Refused(400, "invalid list request", problems);
        }
        ShareRecords.Page page = shares.shares(limit, next);
        List<Map<String, Object>> items = page.shares().stream().map(ShareApiService::summary).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("shares", items);
        body.put("next", page.next());
        LOG.info("listed {} shares after {}", items.size(), next);
        return json(200, body);
    }

    private static Map<String, Object> summary(ShareRecord share) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", share.shareId());
        item.put("imageId", share.imageId());
        item.put("principals", share.principals());
        item.put("state", share.state());
        item.put("createdAt", share.createdAt());
        item.put("requestedBy", share.requestedBy());
        return item;
    }

    // ---- GET /shares/{id} ----------------------------------------------------------------------------------

    /**
     * The ledger's record and the execution's status. A share its first stage refused never reached the
     * ledger, and a record outlives its execution's history (Step Functions keeps it 90 days after the end):
     * either half may be null, and 404 only when neither exists.
     */
    private APIGatewayProxyResponseEvent read(APIGatewayProxyRequestEvent request) {
        String id = shareId(request);
        Optional<ShareRecord> share = shares.share(id);
        DescribeExecutionResponse execution = describe(executionArn(id));
        if (share.isEmpty() && execution == null) {
            throw new Refused(404, "no such share", List.of("id: no share " + id));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("executionArn", execution == null ? share.get().executionArn() : execution.executionArn());
        body.put("status", execution == null ? null : execution.statusAsString());
        body.put("startDate", execution == null ? null : iso(execution.startDate()));
        body.put("stopDate", execution == null ? null : iso(execution.stopDate()));
        body.put("report", execution == null ? null : jsonOrText(execution.output()));
        body.put("error", execution == null ? null : execution.error());
        body.put("cause", execution == null ? null : cause(execution.cause()));
        body.put("share", share.map(ShareApiService::record).orElse(null));
        LOG.info("read share {}: {} {}", id, body.get("status"), share.map(ShareRecord::state).orElse(null));
        return json(200, body);
    }

    private static Map<String, Object> record(ShareRecord share) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", share.shareId());
        item.put("imageId", share.imageId());
        item.put("region", share.region());
        item.put("principals", share.principals());
        item.put("keyArns", share.keyArns());
        item.put("snapshotIds", share.snapshotIds());
        item.put("state", share.state());
        item.put("requestedBy", share.requestedBy());
        item.put("createdAt", share.createdAt());
        item.put("updatedAt", share.updatedAt());
        item.put("executionArn", share.executionArn());
        item.put("summary", jsonOrText(share.summary()));
        return item;
    }

    /** A Lambda error's cause is its JSON error object: the message only, never the stack trace. */
    static String cause(String cause) {
        if (cause == null || !cause.startsWith("{")) {
            return cause;
        }
        try {
            JsonNode error = Json.MAPPER.readTree(cause);
            return error.has("errorMessage") ? error.path("errorMessage").asText() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static Object jsonOrText(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return text;
        }
    }

    // ---- DELETE /shares/{id} -------------------------------------------------------------------------------

    private APIGatewayProxyResponseEvent unshare(APIGatewayProxyRequestEvent request) {
        String caller = caller(request);
        String id = shareId(request);
        Map<String, String> query = request.getQueryStringParameters() == null ? Map.of()
                : request.getQueryStringParameters();
        List<String> problems = new ArrayList<>();
        boolean deregisterCopies = false;
        String deregister = query.get("deregisterCopies");
        if (deregister != null) {
            if (deregister.equalsIgnoreCase("true") || deregister.equalsIgnoreCase("false")) {
                deregisterCopies = Boolean.parseBoolean(deregister);
                if (deregisterCopies) {
                    problems.add(RevokeInput.DEREGISTER_NOT_BUILT);
                }
            } else {
                problems.add("deregisterCopies: must be true or false, got '" + deregister + "'");
            }
        }
        for (String name : query.keySet()) {
            if (!name.equals("deregisterCopies")) {
                problems.add(name + ": unknown query parameter (known: deregisterCopies)");
            }
        }
        if (!problems.isEmpty()) {
            throw new Refused(400, "invalid unshare request", problems);
        }
        if (shares.share(id).isEmpty()) {
            throw new Refused(404, "no such share", List.of("id: the ledger holds no share " + id));
        }
        ObjectNode input = Json.MAPPER.createObjectNode();
        input.putObject("unshare").put("shareId", id).put("deregisterCopies", deregisterCopies);
        input.put("requestedBy", caller);
        String name = unshareName(id);
        Started started = startExecution(name, input);
        LOG.info("unshare {} of share {} for {} (deregisterCopies {})", name, id, caller, deregisterCopies);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", name);
        body.put("shareId", id);
        body.put("executionArn", started.executionArn());
        return json(202, body);
    }

    /** {@code unshare-<id>}; an id too long for that keeps its start and a hash of the whole within 80. */
    static String unshareName(String shareId) {
        String name = UNSHARE_PREFIX + shareId;
        if (name.length() <= MAX_NAME) {
            return name;
        }
        String hash = IdempotencyKeys.sha256(shareId).substring(0, 32);
        return UNSHARE_PREFIX + shareId.substring(0, MAX_NAME - UNSHARE_PREFIX.length() - hash.length() - 1) + "-"
                + hash;
    }

    // ---- GET /images/{imageId}/access ----------------------------------------------------------------------

    private APIGatewayProxyResponseEvent access(APIGatewayProxyRequestEvent request) {
        String imageId = pathParameter(request, "imageId");
        if (imageId == null || !IdKind.IMAGE_ID.pattern().matcher(imageId).matches()) {
            throw new Refused(400, "invalid image id", List.of("imageId: must be " + IdKind.IMAGE_ID.expected()
                    + ", got '" + imageId + "'"));
        }
        if (access == null) {
            throw new Refused(501, "access reports are not available in this deployment", List.of());
        }
        Object report = access.report(imageId);
        LOG.info("access report of {}", imageId);
        return json(200, report);
    }

    // ---- common --------------------------------------------------------------------------------------------

    private static String caller(APIGatewayProxyRequestEvent request) {
        var context = request.getRequestContext();
        String arn = context == null || context.getIdentity() == null ? null : context.getIdentity().getUserArn();
        if (arn == null || arn.isBlank()) {
            // IAM authorization puts it there; without it nobody could be named as having asked.
            throw new Refused(403, "no caller identity", List.of("requestContext.identity.userArn: missing; the "
                    + "API takes SigV4-signed (IAM) requests only"));
        }
        return arn;
    }

    private static String shareId(APIGatewayProxyRequestEvent request) {
        String id = pathParameter(request, "id");
        if (id == null || !EXECUTION_NAME.matcher(id).matches()) {
            throw new Refused(400, "invalid share id", List.of("id: must be 1 to 80 letters, digits, '.', '_' or "
                    + "'-' (a share id as POST /shares returned it), got '" + id + "'"));
        }
        return id;
    }

    private static String pathParameter(APIGatewayProxyRequestEvent request, String name) {
        return request.getPathParameters() == null ? null : request.getPathParameters().get(name);
    }

    String executionArn(String name) {
        return stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + name;
    }

    /** The execution, or null when Step Functions has none of that ARN. */
    private DescribeExecutionResponse describe(String executionArn) {
        try {
            return sfn.describeExecution(r -> r.executionArn(executionArn));
        } catch (ExecutionDoesNotExistException e) {
            return null;
        } catch (AwsServiceException e) {
            throw AwsErrors.common("states:DescribeExecution", e);
        }
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static APIGatewayProxyResponseEvent error(int status, String message, List<String> problems) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", message);
        body.put("problems", problems);
        return json(status, body);
    }

    private static APIGatewayProxyResponseEvent json(int status, Object body) {
        String text;
        try {
            text = OUT.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize the response of " + status, e);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        return new APIGatewayProxyResponseEvent().withStatusCode(status).withHeaders(headers).withBody(text);
    }
}
