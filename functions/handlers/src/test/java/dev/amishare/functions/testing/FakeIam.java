package dev.amishare.functions.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.EvaluationResult;
import software.amazon.awssdk.services.iam.model.PolicyEvaluationDecisionType;
import software.amazon.awssdk.services.iam.model.SimulatePrincipalPolicyRequest;
import software.amazon.awssdk.services.iam.model.SimulatePrincipalPolicyResponse;

/**
 * A stub of IAM's policy simulator: an action is allowed when {@link #allowed} holds it alone (any
 * resource) or as {@code "action on resource"}.
 */
public final class FakeIam implements IamClient {

    public final Set<String> allowed = new HashSet<>();
    public final List<SimulatePrincipalPolicyRequest> simulations = new ArrayList<>();
    public String failWithCode;
    public boolean closed;

    @Override
    public SimulatePrincipalPolicyResponse simulatePrincipalPolicy(SimulatePrincipalPolicyRequest request) {
        simulations.add(request);
        if (failWithCode != null) {
            throw Stubs.error(failWithCode);
        }
        String resource = request.hasResourceArns() ? request.resourceArns().get(0) : "*";
        List<EvaluationResult> results = new ArrayList<>();
        for (String action : request.actionNames()) {
            boolean ok = allowed.contains(action) || allowed.contains(action + " on " + resource);
            results.add(EvaluationResult.builder().evalActionName(action).evalResourceName(resource)
                    .evalDecision(ok ? PolicyEvaluationDecisionType.ALLOWED : PolicyEvaluationDecisionType.IMPLICIT_DENY)
                    .build());
        }
        return SimulatePrincipalPolicyResponse.builder().evaluationResults(results).isTruncated(false).build();
    }

    @Override
    public String serviceName() {
        return "iam";
    }

    @Override
    public void close() {
        closed = true;
    }
}
