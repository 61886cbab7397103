package dev.amishare.functions.prepare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amishare.functions.common.Json;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.TargetSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreparedShareJsonTest {

    @Test
    void write_shouldKeepImageName_whenItIsNull() {
        // GIVEN a prepared share of an AMI without a name
        ShareRequest request = new ShareRequest("ami-0123456789abcdef0", "us-east-1",
                List.of(new ShareRequest.Target("222222222222", null)), null, null, null, null, null, null, null, null);
        PreparedShare prepared = new PreparedShare(request, "111111111111", "us-east-1", null, List.of(), List.of(),
                false, TargetSet.NONE, 0, null, "run-1");

        // WHEN
        String json = Json.write(prepared);

        // THEN the workflow's JSONPath references find the fields (a missing field fails the state)
        assertThat(json).contains("\"imageName\":null");
    }
}
