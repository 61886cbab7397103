package dev.amishare.infra;

import dev.amishare.contract.Names;
import dev.amishare.contract.Perimeter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.events.CfnEventBusPolicy;
import software.amazon.awscdk.services.events.EventBus;
import software.constructs.Construct;

/**
 * The owner account's bus for the copies' "EC2 AMI State Change" events, forwarded by the consumer stacks.
 * A bus of its own, not the default one: its policy admits only {@code aws.ec2} AMI state changes, and only
 * from the perimeter's accounts (its organization's members, the allowed outside accounts). Nobody else can
 * put an event that reaches the copy-event function, and nothing else reaches it through this bus.
 */
public final class CopyEventBus extends Construct {

    private final EventBus bus;

    public CopyEventBus(Construct scope, String id, Perimeter perimeter) {
        super(scope, id);
        Stack stack = Stack.of(this);
        bus = EventBus.Builder.create(this, "Bus").eventBusName(Names.COPY_EVENT_BUS).build();
        String partition = stack.getPartition();
        if (perimeter.organizationId() != null) {
            Map<String, Object> equals = new LinkedHashMap<>(onlyAmiStateChanges());
            equals.put("aws:PrincipalOrgID", perimeter.organizationId());
            CfnEventBusPolicy.Builder.create(this, "FromOrganization")
                    .eventBusName(bus.getEventBusName())
                    .statementId("amishare-copy-events-organization")
                    .statement(Map.of(
                            "Effect", "Allow",
                            "Principal", "*",
                            "Action", "events:PutEvents",
                            "Resource", bus.getEventBusArn(),
                            "Condition", Map.of("StringEquals", equals)))
                    .build();
        }
        if (!perimeter.accountIds().isEmpty()) {
            CfnEventBusPolicy.Builder.create(this, "FromAllowedAccounts")
                    .eventBusName(bus.getEventBusName())
                    .statementId("amishare-copy-events-accounts")
                    .statement(Map.of(
                            "Effect", "Allow",
                            "Principal", Map.of("AWS", perimeter.accountIds().stream()
                                    .map(a -> "arn:" + partition + ":iam::" + a + ":root").toList()),
                            "Action", "events:PutEvents",
                            "Resource", bus.getEventBusArn(),
                            "Condition", Map.of("StringEquals", onlyAmiStateChanges())))
                    .build();
        }
    }

    /** EventBridge's condition keys on PutEvents: the event's source and detail-type (EventBridge UserGuide). */
    private static Map<String, Object> onlyAmiStateChanges() {
        Map<String, Object> equals = new LinkedHashMap<>();
        equals.put("events:source", List.of("aws.ec2"));
        equals.put("events:detail-type", List.of("EC2 AMI State Change"));
        return equals;
    }

    public EventBus bus() {
        return bus;
    }
}
