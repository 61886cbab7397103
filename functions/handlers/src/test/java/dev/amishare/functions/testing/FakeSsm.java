package dev.amishare.functions.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.DeleteParameterRequest;
import software.amazon.awssdk.services.ssm.model.DeleteParameterResponse;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.GetParameterResponse;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;
import software.amazon.awssdk.services.ssm.model.PutParameterResponse;

/** An in-memory Parameter Store for unit tests: names to values, and the type each was written with. */
public final class FakeSsm implements SsmClient {

    public final Map<String, String> parameters = new LinkedHashMap<>();
    public final Map<String, ParameterType> types = new LinkedHashMap<>();
    public final Map<String, String> keyIds = new LinkedHashMap<>();
    public int deletes;

    @Override
    public PutParameterResponse putParameter(PutParameterRequest request) {
        if (!Boolean.TRUE.equals(request.overwrite()) && parameters.containsKey(request.name())) {
            throw new IllegalStateException("ParameterAlreadyExists: " + request.name());
        }
        parameters.put(request.name(), request.value());
        types.put(request.name(), request.type());
        keyIds.put(request.name(), request.keyId());
        return PutParameterResponse.builder().version(1L).build();
    }

    @Override
    public GetParameterResponse getParameter(GetParameterRequest request) {
        String value = parameters.get(request.name());
        if (value == null) {
            throw ParameterNotFoundException.builder().message("stubbed ParameterNotFound").build();
        }
        return GetParameterResponse.builder().parameter(Parameter.builder().name(request.name()).value(value).build())
                .build();
    }

    @Override
    public DeleteParameterResponse deleteParameter(DeleteParameterRequest request) {
        deletes++;
        if (parameters.remove(request.name()) == null) {
            throw ParameterNotFoundException.builder().message("stubbed ParameterNotFound").build();
        }
        return DeleteParameterResponse.builder().build();
    }

    @Override
    public String serviceName() {
        return "ssm";
    }

    @Override
    public void close() {
    }
}
