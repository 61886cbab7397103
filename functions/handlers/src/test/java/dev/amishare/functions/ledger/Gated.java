package dev.amishare.functions.ledger;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GetKeyPolicyRequest;
import software.amazon.awssdk.services.kms.model.GetKeyPolicyResponse;
import software.amazon.awssdk.services.kms.model.PutKeyPolicyRequest;
import software.amazon.awssdk.services.kms.model.PutKeyPolicyResponse;

/** Clients that stop each writer before every call, for {@link Interleaving}. */
final class Gated {

    private Gated() {
    }

    static DynamoDbClient dynamoDb(DynamoDbClient inner, Interleaving schedule) {
        return new DynamoDbClient() {
            @Override
            public PutItemResponse putItem(PutItemRequest request) {
                schedule.gate("dynamodb:PutItem");
                return inner.putItem(request);
            }

            @Override
            public DeleteItemResponse deleteItem(DeleteItemRequest request) {
                schedule.gate("dynamodb:DeleteItem");
                return inner.deleteItem(request);
            }

            @Override
            public QueryResponse query(QueryRequest request) {
                schedule.gate("dynamodb:Query");
                return inner.query(request);
            }

            // Not a step: reading the share's record (who asked) touches nothing two writers share.
            @Override
            public software.amazon.awssdk.services.dynamodb.model.GetItemResponse getItem(
                    software.amazon.awssdk.services.dynamodb.model.GetItemRequest request) {
                return inner.getItem(request);
            }

            @Override
            public BatchWriteItemResponse batchWriteItem(BatchWriteItemRequest request) {
                schedule.gate("dynamodb:BatchWriteItem");
                return inner.batchWriteItem(request);
            }

            @Override
            public String serviceName() {
                return "dynamodb";
            }

            @Override
            public void close() {
            }
        };
    }

    static KmsClient kms(KmsClient inner, Interleaving schedule) {
        return new KmsClient() {
            @Override
            public GetKeyPolicyResponse getKeyPolicy(GetKeyPolicyRequest request) {
                schedule.gate("kms:GetKeyPolicy");
                return inner.getKeyPolicy(request);
            }

            @Override
            public PutKeyPolicyResponse putKeyPolicy(PutKeyPolicyRequest request) {
                schedule.gate("kms:PutKeyPolicy");
                return inner.putKeyPolicy(request);
            }

            @Override
            public String serviceName() {
                return "kms";
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * EC2's launch-permission calls as steps: the read of an image's launch permission and each change of it.
     * Everything else (the image's description, snapshots) passes through.
     */
    static software.amazon.awssdk.services.ec2.Ec2Client ec2(software.amazon.awssdk.services.ec2.Ec2Client inner,
            Interleaving schedule) {
        return new software.amazon.awssdk.services.ec2.Ec2Client() {
            @Override
            public software.amazon.awssdk.services.ec2.model.DescribeImageAttributeResponse describeImageAttribute(
                    software.amazon.awssdk.services.ec2.model.DescribeImageAttributeRequest request) {
                schedule.gate("ec2:DescribeImageAttribute");
                return inner.describeImageAttribute(request);
            }

            @Override
            public software.amazon.awssdk.services.ec2.model.ModifyImageAttributeResponse modifyImageAttribute(
                    software.amazon.awssdk.services.ec2.model.ModifyImageAttributeRequest request) {
                schedule.gate("ec2:ModifyImageAttribute");
                return inner.modifyImageAttribute(request);
            }

            @Override
            public software.amazon.awssdk.services.ec2.model.DescribeImagesResponse describeImages(
                    software.amazon.awssdk.services.ec2.model.DescribeImagesRequest request) {
                return inner.describeImages(request);
            }

            @Override
            public String serviceName() {
                return inner.serviceName();
            }

            @Override
            public void close() {
            }
        };
    }
}
